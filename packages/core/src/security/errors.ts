import { CohortError } from '../errors.js';

/**
 * A key, certificate, trust or policy file is missing, unreadable or invalid,
 * or a signature could not be made. The message names the file and says what
 * to do. (A request that fails verification is not an error: the node drops
 * it with a reason.)
 */
export class SecurityError extends CohortError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SECURITY', message, options);
  }
}
