/**
 * @cohort/agents: defineAgent (typed action tables from generated DDL types),
 * the ActionContext/NodeInfo an action sees, AgentError/fail, and the
 * bundled agents (rpcutil).
 */
export {
  defineAgent,
  asAgent,
  type Agent,
  type AgentDefinition,
  type AgentLogger,
  type ActionContext,
  type ActionFor,
  type ActionResult,
  type ActionHandler,
  type ActionShape,
  type ReceivedInput,
  type ActionShapes,
  type ActivationCheck,
  type ActivationContext,
  type RequestInfo,
} from './define.js';
export { AgentError, AgentDefinitionError, fail, isAgentError, type FailStatus } from './errors.js';
export type { NodeInfo, AgentSummary, UnloadedAgent, DaemonCounters, EventLoopLag } from './node-info.js';
export { agentConfigSections, serverConfigSpec, loadServerConfig, type AgentConfigSections, type ServerConfig, type LoadedServerConfig } from './config.js';
export { builtinAgents, provisioningAgents } from './builtin.js';
export { rpcutil } from './rpcutil/index.js';
export { factAt, factNames } from './rpcutil/facts.js';
export { runProcess, type ProcessRun, type RunProcessOptions } from './lib/run-process.js';
export * from './puppetral/api.js';
export * from './nrpe/api.js';
export * from './provision/api.js';
export type * from './generated/index.js';
