import { CohortError } from '@cohort/core';

/** An aggregate call cannot be set up: unknown function or malformed DDL `aggregate` entry. */
export class AggregatorError extends CohortError {
  constructor(message: string) {
    super('AGGREGATE', message);
  }
}
