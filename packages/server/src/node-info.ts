import type { EventLoopLag, NodeInfo } from '@cohort/agents';
import { configValue, redactSecrets } from '@cohort/core';
import { serverConfigSpec, type ServerConfig } from '@cohort/agents';
import type { NodeState } from './node-state.js';
import type { AgentRegistry } from './registry.js';
import type { Stats } from './stats.js';

const dataSources = Object.freeze(['fstat', 'fact', 'check']);

/** The daemon's NodeInfo: what agents (rpcutil above all) can learn about this node. */
export function createNodeInfo(options: {
  config: ServerConfig;
  configFile: string | undefined;
  startTime: number;
  state: NodeState;
  registry: AgentRegistry;
  stats: Stats;
  /** Event-loop delay of this process (rpcutil daemon_stats). */
  eventLoopLag?: () => EventLoopLag;
  /** Restart the daemon in-process after a delay (provision restart); absent when the host cannot. */
  requestRestart?: ((reason: string, delayMs: number) => void) | undefined;
}): NodeInfo {
  const { config, state, registry, stats } = options;
  return {
    identity: config.identity,
    collectives: config.collectives,
    configFile: options.configFile,
    startTime: options.startTime,
    facts: () => state.facts(),
    classes: () => state.classes(),
    agents: () => registry.summaries(),
    unloadedAgents: () => registry.unloaded(),
    // Secrets (NATS password, token) are never handed out, even inside a section.
    configItem: (key) => redactSecrets(key, configValue(serverConfigSpec, config, key)),
    // The config is deep-frozen by loadConfig; a section is handed out as loaded (the provision agent needs its token).
    section: (name) => config[name],
    stats: () => stats.snapshot(),
    dataSources,
    // A known source that cannot answer (e.g. fstat without permission) gives an empty result, not "unknown source".
    data: (source, query) => (dataSources.includes(source) ? (state.data(source, query) ?? {}) : undefined),
    ...(options.eventLoopLag ? { eventLoopLag: options.eventLoopLag } : {}),
    ...(options.requestRestart ? { requestRestart: options.requestRestart } : {}),
  };
}
