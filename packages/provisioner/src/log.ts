/**
 * The logging the provisioner needs: a `@cohort/core/log` logger
 * (created by the CLI) fits it; tests pass a recorder.
 */
export interface ProvisionerLog {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** A log that drops everything. */
export const quietLog: ProvisionerLog = { error() {}, warn() {}, info() {}, debug() {} };
