import { CohortError } from '@cohort/core';

/**
 * Client-specific errors. Everything else uses the shared classes from
 * `@cohort/core` (UsageError, ConfigError, ConnectionError, DdlError, InputError).
 */

/** Discovery found no node matching the filter (the CLI exits 3). */
export class NoNodesError extends CohortError {
  constructor(message = 'No nodes matched the filter') {
    super('NO_NODES', message);
  }
}

/** The client was used after `close()`. */
export class ClientClosedError extends CohortError {
  constructor() {
    super('CLIENT_CLOSED', 'the client is closed; create a new one with Client.connect()');
  }
}
