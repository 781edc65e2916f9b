/** The logging the service needs: a `@cohort/core/log` logger (made by the CLI) fits; tests pass a recorder. */
export interface HandlersLog {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** A log that drops everything. */
export const quietLog: HandlersLog = { error() {}, warn() {}, info() {}, debug() {} };
