/**
 * @cohort/core: the shared contract. Protocol (envelopes, codec, subjects,
 * status codes), the filter language, DDL loading/validation, configuration
 * and errors. Imports no NATS code: the nats.js auth options are on their
 * own subpath, `@cohort/core/nats-auth`. Logging lives in `@cohort/core/log`.
 */
export * from './errors.js';
export * from './protocol/status.js';
export * from './protocol/types.js';
export * from './protocol/subjects.js';
export * from './protocol/ids.js';
export * from './protocol/registration.js';
export { encodeRegistryMessage, decodeRegistration, decodeLifecycle } from './protocol/registration-codec.js';
export { registrationSchema, lifecycleSchema } from './protocol/registration-schemas.js';
export {
  encode,
  decode,
  decodeText,
  decodeRequest,
  decodeReply,
  decodeRequestText,
  decodeReplyText,
  describeSchemaErrors,
  defaultMaxMessageBytes,
  type DecodeOptions,
} from './protocol/codec.js';
export {
  requestSchema,
  replySchema,
  filterSchema,
  secureRequestSchema,
  secureReplySchema,
  certificateSchema,
  certificateBodySchema,
  maxSignedTargets,
} from './protocol/schemas.js';
export * from './filter/types.js';
export * from './filter/index.js';
export * from './reply-filter/index.js';
export * from './ddl/types.js';
export * from './ddl/index.js';
export * from './config/index.js';
export * from './security/index.js';
export { version } from './version.js';
export {
  RegistryDataKind,
  sealRegistration,
  sealDeregistration,
  sealLifecycle,
  readRegistryEntry,
  readRegistryEntryAsync,
  readLifecycle,
  type DeregistrationValue,
  type RegistryEntryReading,
  type LifecycleReading,
} from './protocol/registry-signed.js';
export * from './mine/index.js';
export * from './checks/index.js';
export * from './services/index.js';
export * from './kv/index.js';
export { NagiosState, stateName, asState, type NagiosCode, type NagiosStateName } from './nagios-states.js';
export * from './expression/index.js';
export * from './plugins/index.js';
export * from './layout.js';
export * from './bucket-denied.js';
export { childProcess, readline, http, perfHooks } from './lazy-builtins.js';
