import type { CheckDefinition, CheckResult } from '@cohort/core';

/** The node's current metrics, as the collectors sampled them: `<group>.<metric>` -> number (e.g. `load.load1`, `memory.used_pct`, `disk./.used_pct`). */
export type MetricSnapshot = ReadonlyMap<string, number>;

/** What a check kind gets for one run. */
export interface CheckRunContext {
  /** Fires at the check's timeout, on removal or shutdown: stop and return. */
  readonly signal: AbortSignal;
  /** The latest collector metrics (empty when collectors are off). */
  readonly metrics: () => MetricSnapshot;
  readonly identity: string;
  readonly clock: () => number;
}

/**
 * One kind of check (nagios, expression, graphite): runs a definition once
 * and says what it found. Never throws for a failed check: a plugin that
 * cannot run, an expression that cannot be evaluated, a Graphite that does
 * not answer are `unknown` results with the reason as output.
 */
export interface CheckKindRunner {
  run(def: CheckDefinition, ctx: CheckRunContext): Promise<CheckResult>;
}
