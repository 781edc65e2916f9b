import type { DdlAction, DdlAggregate } from '@cohort/core';
import { countsSummary, readCall, type AggregateCall } from './call.js';
import { formatString } from './format.js';
import type { AggregateSummary, Aggregator } from './types.js';

const states = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** Nagios state name of an exit code value; anything but 0..3 (null, strings, 4+) is UNKNOWN. */
function stateOf(value: unknown): (typeof states)[number] {
  return typeof value === 'number' && Number.isInteger(value) ? (states[value] ?? 'UNKNOWN') : 'UNKNOWN';
}

class NagiosStatesAggregator implements Aggregator {
  readonly #counts = new Map<string, number>(states.map((s) => [s, 0]));

  constructor(private readonly call: AggregateCall) {}

  process(value: unknown): void {
    const state = stateOf(value);
    this.#counts.set(state, (this.#counts.get(state) ?? 0) + 1);
  }

  result(): AggregateSummary {
    const counts = states.map((s): [string, number] => [s, this.#counts.get(s) ?? 0]);
    const format = this.call.format ?? '%10s : %s';
    return countsSummary(this.call, counts, counts.map(([state, n]) => formatString(format, [state, n])));
  }
}

/**
 * `nagios_states` (nrpe's `runcommand`): counts Nagios plugin exit codes as
 * OK (0), WARNING (1), CRITICAL (2) and UNKNOWN (3, or any other value),
 * always listing all four in that order, each as `%10s : %s`
 * (`        OK : 40`), like MCollective's aggregate. A `{format}` argument
 * replaces that format.
 */
export function nagiosStatesAggregator(call: DdlAggregate, action: DdlAction): Aggregator {
  return new NagiosStatesAggregator(readCall(call, action));
}
