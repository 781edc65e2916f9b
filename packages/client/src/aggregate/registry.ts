import type { DdlAction, DdlAggregate } from '@cohort/core';
import { AggregatorError } from './errors.js';
import { nagiosStatesAggregator } from './nagios-states.js';
import { averageAggregator, sumAggregator } from './numeric.js';
import { booleanSummaryAggregator, summaryAggregator } from './summary.js';
import type { Aggregator, AggregatorFactory } from './types.js';

/**
 * Aggregate functions by DDL function name (`summary`, `average`, ...). Each
 * client owns its registry, so an application can add its own functions (e.g.
 * nrpe's `nagios_states`) without affecting anyone else.
 */
export class AggregatorRegistry {
  readonly #factories = new Map<string, AggregatorFactory>();

  /** Register (or replace) the factory for a DDL function name. */
  register(name: string, factory: AggregatorFactory): this {
    this.#factories.set(name, factory);
    return this;
  }

  /** Whether a DDL function name has a registered factory. */
  has(name: string): boolean {
    return this.#factories.has(name);
  }

  /** The registered function names, sorted. */
  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /**
   * A fresh aggregator for one DDL aggregate call of `action`. Throws
   * AggregatorError naming the function and the registered ones when the
   * function is unknown.
   */
  create(call: DdlAggregate, action: DdlAction): Aggregator {
    const factory = this.#factories.get(call.function);
    if (factory === undefined) {
      const known = this.names();
      throw new AggregatorError(
        `unknown aggregate function '${call.function}' in action '${action.action}'; ` +
          `registered: ${known.length > 0 ? known.join(', ') : 'none'} (add it with AggregatorRegistry.register)`,
      );
    }
    return factory(call, action);
  }
}

/** A NEW registry holding the built-in functions: summary, boolean_summary, average, sum and nagios_states. */
export function defaultAggregators(): AggregatorRegistry {
  return new AggregatorRegistry()
    .register('summary', summaryAggregator)
    .register('boolean_summary', booleanSummaryAggregator)
    .register('average', averageAggregator)
    .register('sum', sumAggregator)
    .register('nagios_states', nagiosStatesAggregator);
}
