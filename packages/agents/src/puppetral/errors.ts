import { CohortError } from '@cohort/core';

/**
 * The Puppet helper process could not start, died, or spoke something other
 * than its line protocol. `exited` is true when the process is gone (a new
 * one starts on the next request).
 */
export class PuppetHelperError extends CohortError {
  readonly exited: boolean;
  constructor(message: string, options: { exited?: boolean; cause?: unknown } = {}) {
    super('PUPPET_HELPER', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exited = options.exited ?? false;
  }
}
