/**
 * Agents in any language (docs/external-agents.md): an executable beside its
 * DDL, run under Choria's request-file contract.
 */
export { externalAgent, activationTimeoutMs, type ExternalAgentOptions } from './agent.js';
export {
  activationProtocol,
  rpcProtocol,
  externalEnv,
  parseActivationReply,
  parseRpcReply,
  outputProblems,
  defaultPath,
  type ActivationRequest,
  type RpcRequest,
  type CallFiles,
  type ExternalReply,
  type ExternalProtocol,
} from './contract.js';
export { runExternal, describeEnd, type ExternalRun, type RunOptions } from './run.js';
export { executableExts, isExecutable, notExecutableReason, agentConfigFile, readAgentConfig } from './plugin.js';
