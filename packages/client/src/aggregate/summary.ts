import type { DdlAction, DdlAggregate } from '@cohort/core';
import { countsSummary, readCall, type AggregateCall } from './call.js';
import { formatString } from './format.js';
import type { AggregateSummary, Aggregator } from './types.js';

/** Turns a reply value into the key it is counted under; undefined = not counted. */
type KeyOf = (value: unknown) => string | undefined;

function compareCounts(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** Counts occurrences of keys; the shared engine of `summary` and `boolean_summary`. */
class CountingAggregator implements Aggregator {
  readonly #counts = new Map<string, number>();

  constructor(
    private readonly call: AggregateCall,
    private readonly keyOf: KeyOf,
    private readonly spreadArrays: boolean,
  ) {}

  process(value: unknown): void {
    if (this.spreadArrays && Array.isArray(value)) {
      for (const item of value) this.#add(item);
    } else {
      this.#add(value);
    }
  }

  #add(value: unknown): void {
    if (value === null || value === undefined) return;
    const key = this.keyOf(value);
    if (key !== undefined) this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  result(): AggregateSummary {
    const counts = [...this.#counts].sort(compareCounts);
    const { format } = this.call;
    const width = counts.reduce((w, [key]) => Math.max(w, key.length), 0);
    const text = counts.map(([key, n]) =>
      format !== undefined ? formatString(format, [key, n]) : `   ${key.padStart(width)} = ${n}`,
    );
    return countsSummary(this.call, counts, text);
  }
}

// Trailing-object entries other than `format` rename values, as in Choria:
// {"true": "Enabled", "false": "Disabled"}.
function labels(call: AggregateCall): Map<string, string> {
  const map = new Map<string, string>();
  for (const [key, label] of Object.entries(call.options)) {
    if (key !== 'format') map.set(key, String(label));
  }
  return map;
}

function keyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * `summary`: counts how often each value of the output occurs. Array values
 * count once per element; objects are counted by their JSON text; null is
 * skipped. Sorted by count (descending), then value. Default text lines are
 * `   <value padded to the widest> = <count>`; a `{format}` argument is applied
 * to (value, count) instead, e.g. `"%s Tests on %d node(s)"`.
 */
export function summaryAggregator(call: DdlAggregate, action: DdlAction): Aggregator {
  const info = readCall(call, action);
  const map = labels(info);
  return new CountingAggregator(
    info,
    (value) => {
      const key = keyText(value);
      return map.get(key) ?? key;
    },
    true,
  );
}

/**
 * `boolean_summary`: counts true and false values of a boolean output (other
 * values are ignored). Like Choria, a trailing object may rename them, e.g.
 * `["enabled", {"true": "Enabled", "false": "Disabled"}]`, and may carry a
 * `format`. Text as for `summary`.
 */
export function booleanSummaryAggregator(call: DdlAggregate, action: DdlAction): Aggregator {
  const info = readCall(call, action);
  const map = labels(info);
  return new CountingAggregator(
    info,
    (value) => (typeof value === 'boolean' ? (map.get(String(value)) ?? String(value)) : undefined),
    false,
  );
}
