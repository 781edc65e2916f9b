import type { DdlAction, DdlAggregate } from '@cohort/core';
import { readCall, type AggregateCall } from './call.js';
import { formatNumber, formatString } from './format.js';
import type { AggregateSummary, Aggregator } from './types.js';

/** A finite number, or a string holding one (facts are often strings); undefined otherwise. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'string' && value.trim() === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Sums the numeric values it sees; `average` and `sum` differ only in the result. */
class NumericAggregator implements Aggregator {
  #sum = 0;
  #count = 0;

  constructor(
    private readonly call: AggregateCall,
    private readonly average: boolean,
  ) {}

  process(value: unknown): void {
    const n = numeric(value);
    if (n === undefined) return;
    this.#sum += n;
    this.#count++;
  }

  result(): AggregateSummary {
    const { format, display_as } = this.call;
    const value = this.average ? (this.#count > 0 ? this.#sum / this.#count : undefined) : this.#sum;
    const label = this.average ? 'Average' : 'Sum';
    const line = (v: number): string =>
      format !== undefined ? formatString(format, [v]) : `${label} of ${display_as}: ${formatNumber(v)}`;
    const text = value === undefined ? [] : [line(value)];
    return {
      function: this.call.function,
      output: this.call.output,
      display_as,
      kind: 'value',
      ...(value === undefined ? {} : { value }),
      text,
    };
  }
}

/**
 * `average`: the mean of the output's numeric values (numbers, or strings that
 * hold one; anything else is ignored). Default text `Average of <display_as>: <value>`;
 * a `{format}` argument is applied to the value, e.g. `"%.2f"`. With no numeric
 * value at all the summary has no `value` and no text.
 */
export function averageAggregator(call: DdlAggregate, action: DdlAction): Aggregator {
  return new NumericAggregator(readCall(call, action), true);
}

/**
 * `sum`: the total of the output's numeric values (non-numbers ignored; 0 when
 * there are none). Default text `Sum of <display_as>: <value>`; a `{format}` is
 * applied to the value.
 */
export function sumAggregator(call: DdlAggregate, action: DdlAction): Aggregator {
  return new NumericAggregator(readCall(call, action), false);
}
