/**
 * The puppetral agent and its building blocks (guard rails, the helper line
 * protocol and process manager, output shaping, locating Puppet), exported
 * for tests and for tools that drive Puppet the way the agent does.
 */
export { createPuppetral, puppetral, helperScript, type PuppetralOptions } from './index.js';
export { refusal, type Access, type GuardRails } from './guard.js';
export { parameterRefusal, controlIn, typeParameters, forbiddenParameters, type ParameterCall } from './parameters.js';
export {
  encodeRequest,
  decodeReady,
  decodeReply,
  HelperOps,
  HelperErrorKinds,
  type HelperOp,
  type HelperRequest,
  type HelperReply,
  type HelperReady,
  type HelperErrorKind,
} from './protocol.js';
export { PuppetHelper, type HelperCall, type PuppetHelperOptions } from './helper.js';
export { HelperProcess, type LaunchSpec } from './helper-process.js';
export { applyOutput, findOutput, searchOutput, eventsOf, type ApplyOutput, type ResourceEvent } from './results.js';
export { readSettings, settingsArgs, type PuppetralSettings } from './settings.js';
export { locatePuppet, findCommand, shebangInterpreter, aioRuby, type PuppetInstall } from './locate.js';
export { PuppetHelperError } from './errors.js';
