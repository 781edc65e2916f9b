/**
 * Error classes shared by every Cohort package. Each has a stable `code` so
 * callers (and the CLI's single exit path) can branch without string matching,
 * and a message that says what was wrong and what to do about it.
 */

/** Base class: every Cohort error carries a stable machine-readable code. */
export class CohortError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A message on the bus (or handed to the codec) is not a valid Cohort envelope. */
export class ProtocolError extends CohortError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
  }
}

/** A discovery filter did not parse. `position` is the 0-based offset of the offending token. */
export class FilterSyntaxError extends CohortError {
  readonly input: string;
  readonly position: number;
  readonly length: number;
  constructor(message: string, input: string, position: number, length = 1) {
    super('FILTER_SYNTAX', message);
    this.input = input;
    this.position = position;
    this.length = Math.max(1, length);
  }

  /** The input with a caret line under the offending token, for terminal output. */
  pointer(): string {
    return `${this.input}\n${' '.repeat(this.position)}${'^'.repeat(this.length)}`;
  }
}

/** A DDL file could not be read, parsed or does not satisfy the DDL schema. */
export class DdlError extends CohortError {
  readonly file: string;
  readonly path: string;
  constructor(file: string, path: string, reason: string, options?: { cause?: unknown }) {
    super('DDL', `${file}${path ? ` at ${path}` : ''}: ${reason}`, options);
    this.file = file;
    this.path = path;
  }
}

/** Request input failed DDL validation. `status` is the RPC status code it maps to (3 missing, 4 invalid). */
export class InputError extends CohortError {
  readonly input: string;
  readonly status: 3 | 4;
  constructor(input: string, status: 3 | 4, message: string) {
    super(status === 3 ? 'MISSING_INPUT' : 'INVALID_INPUT', message);
    this.input = input;
    this.status = status;
  }
}

/** Configuration file, environment or flags are invalid. */
export class ConfigError extends CohortError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/** Bad command-line usage (exit code 2, nothing sent). */
export class UsageError extends CohortError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** The NATS bus could not be reached. */
export class ConnectionError extends CohortError {
  readonly servers: readonly string[];
  constructor(servers: readonly string[], message: string, options?: { cause?: unknown }) {
    super('CONNECTION', message, options);
    this.servers = servers;
  }
}

/** Render any thrown value as a one-line message. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
