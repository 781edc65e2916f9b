import type { ConfigLookup, DdlMetadata, Facts } from '@cohort/core';
import type { AgentConfigSections } from './config.js';

/** A loaded agent as the node reports it (rpcutil agent_inventory). */
export interface AgentSummary {
  name: string;
  metadata: DdlMetadata;
}

/** An agent the node found but did not load, and why. */
export interface UnloadedAgent {
  name: string;
  /** Where it came from: `builtin` or the plugin file. */
  source: string;
  reason: string;
}

/** Message counters of the request pipeline (rpcutil daemon_stats). */
export interface DaemonCounters {
  /** Messages received. */
  total: number;
  /** Messages that decoded into a valid request. */
  validated: number;
  /** Messages that failed to decode (size, JSON, schema). */
  unvalidated: number;
  /** Requests that matched this node's filter. */
  passed: number;
  /** Requests that did not match (silently dropped). */
  filtered: number;
  /** Replies published. */
  replies: number;
  /** Requests outside their TTL window. */
  ttlexpired: number;
  /** Lifecycle events published (none yet). */
  events: number;
  /** Requests dropped without a reply, by reason. */
  dropped: Readonly<Record<string, number>>;
  /** Node-side templates, by name: renders, render_errors, writes, write_errors, commands, command_failures (docs/service-discovery.md). */
  templates?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Event-loop delay of the node's process, in ms, over the last `window_s` seconds (rpcutil daemon_stats). */
export interface EventLoopLag {
  p50: number;
  p99: number;
  max: number;
  window_s: number;
}

/**
 * What an agent may learn about the node it runs on. The daemon implements
 * it; tests use a plain object.
 */
export interface NodeInfo {
  readonly identity: string;
  /** Collectives joined; the first is the main collective. */
  readonly collectives: readonly string[];
  /** Config file the daemon started with, if any. */
  readonly configFile: string | undefined;
  /** Daemon start time, unix seconds. */
  readonly startTime: number;
  /** Current facts (replaced wholesale on reload; do not mutate). */
  facts(): Facts;
  classes(): readonly string[];
  /** Loaded agents with their DDL metadata. */
  agents(): readonly AgentSummary[];
  /** Agents found but not loaded, with reasons. */
  unloadedAgents(): readonly UnloadedAgent[];
  /** Look up a dotted configuration key (`nats.servers`); secrets come back redacted (rpcutil get_config_item). */
  configItem(key: string): ConfigLookup;
  /** A built-in agent's config section, typed and frozen, with its defaults (`node.section('nrpe').conf_file`). */
  section<K extends keyof AgentConfigSections>(name: K): AgentConfigSections[K];
  /** Snapshot of the pipeline counters. */
  stats(): DaemonCounters;
  /** Names of the data functions `data()` accepts (`fstat`, `fact`). */
  readonly dataSources: readonly string[];
  /** Run a data function; undefined when no such source exists. */
  data(source: string, query: string): Record<string, unknown> | undefined;
  /** Event-loop delay of the process hosting this node; absent when not measured (reported as zeros). */
  eventLoopLag?(): EventLoopLag;
  /**
   * Ask the daemon to stop cleanly and start again in the same process after
   * `delayMs`, re-reading its config file (the provision agent's restart).
   * Absent where the host cannot restart (cohort-sim, tests).
   */
  requestRestart?(reason: string, delayMs: number): void;
}
