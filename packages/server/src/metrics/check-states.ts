import type { CheckState, PerfDatum } from '@cohort/core';

/** One check's current state as the exporters need it. */
export interface CheckMetrics {
  readonly check: string;
  readonly state: CheckState;
  readonly perfdata: readonly PerfDatum[];
}

/**
 * Where Prometheus and Graphite get the node's check states and perfdata:
 * the node's checks module provides it (server.ts wires it); without checks,
 * an empty one.
 */
export type CheckStatesProvider = () => Iterable<CheckMetrics>;

/** No checks on this node (yet). */
export const noCheckStates: CheckStatesProvider = () => [];
