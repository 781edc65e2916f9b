import type { EventLoopLag, NodeInfo } from '@cohort/agents';
import { configValue, createDataFunctions, redactSecrets, type ConfigLookup, type NodeView } from '@cohort/core';
import { serverConfigSpec, type ServerConfig } from '@cohort/agents';
import type { AgentRegistry } from '../registry.js';
import type { Stats } from '../stats.js';
import type { SimNodeSpec } from './facts.js';

const dataSources = Object.freeze(['fstat', 'fact']);

/** A virtual node as filters see it: the same shape NodeState builds for cohortd. */
export function simNodeView(spec: SimNodeSpec, agents: readonly string[]): NodeView {
  return { identity: spec.identity, facts: spec.facts, classes: spec.classes, agents, data: createDataFunctions(() => spec.facts) };
}

/** A virtual node as agents see it (what createNodeInfo gives cohortd, from in-memory facts). */
export function simNodeInfo(options: {
  spec: SimNodeSpec;
  view: NodeView;
  config: ServerConfig;
  startTime: number;
  registry: AgentRegistry;
  stats: Stats;
  eventLoopLag?: (() => EventLoopLag) | undefined;
}): NodeInfo {
  const { spec, view, config, registry, stats } = options;
  const data = view.data;
  return {
    identity: spec.identity,
    collectives: config.collectives,
    configFile: undefined,
    startTime: options.startTime,
    facts: () => spec.facts,
    classes: () => spec.classes,
    agents: () => registry.summaries(),
    unloadedAgents: () => registry.unloaded(),
    configItem: (key): ConfigLookup => (key === 'identity' ? { found: true, value: spec.identity } : redactSecrets(key, configValue(serverConfigSpec, config, key))),
    section: (name) => config[name],
    stats: () => stats.snapshot(),
    dataSources,
    data: (source, query) => (dataSources.includes(source) && data ? (data(source, query) ?? {}) : undefined),
    ...(options.eventLoopLag ? { eventLoopLag: options.eventLoopLag } : {}),
  };
}
