/** Provisioning mode in cohortd: the node's mode, and restarting in-process into a new configuration. */
export { nodeMode, provisioningCollective, type NodeMode } from './mode.js';
export { probeNats } from '../bus/probe.js';
export { configForRestart, fallbackConfig, isRestart, restartTrigger, type RestartRequest } from './restart.js';
