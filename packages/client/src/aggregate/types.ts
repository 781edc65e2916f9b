import type { DdlAggregate, DdlAction } from '@cohort/core';

/**
 * An aggregate function: fed one reply value at a time, then asked for its result.
 * Implementations are registered by DDL function name (summary, average, ...).
 */
export interface Aggregator {
  process(value: unknown): void;
  result(): AggregateSummary;
}

/** The result of one DDL `aggregate` entry over a set of replies. */
export interface AggregateSummary {
  /** DDL function name, e.g. `summary`. */
  function: string;
  /** Output the function was applied to. */
  output: string;
  /** The output's `display_as`. */
  display_as: string;
  /** `counts`: value -> occurrences (summary-like); `value`: one number (average, sum). */
  kind: 'counts' | 'value';
  counts?: Array<[string, number]>;
  value?: number;
  /** Rendered text lines for terminal output (without the "Summary of" heading). */
  text: string[];
}

/** Creates an aggregator for one DDL aggregate call on one action. */
export type AggregatorFactory = (call: DdlAggregate, action: DdlAction) => Aggregator;
