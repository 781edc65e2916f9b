import { closeSync, openSync, writeSync } from 'node:fs';
import { auditLine, ConfigError, errorMessage, type AuditRecord, type AuditSummary } from '@cohort/core';
import type { Logger } from '@cohort/core/log';

/** Where audit records go; `write` returns false when the record could not be stored. */
export interface AuditSink {
  write(record: AuditRecord | AuditSummary): boolean;
  close(): void;
}

/**
 * The audit log: one JSON line per request, appended with a synchronous
 * write so the line is with the operating system before the action starts.
 * Opened in append mode (so copytruncate rotation works), mode 0600.
 */
export class AuditFile implements AuditSink {
  readonly file: string;
  readonly #log: Logger;
  #fd: number | undefined;

  /** Opens the file; throws ConfigError when it cannot be opened (the daemon does not start). */
  constructor(file: string, log: Logger) {
    this.file = file;
    this.#log = log;
    try {
      this.#fd = openSync(file, 'a', 0o600);
    } catch (err) {
      throw new ConfigError(`cannot open the audit log ${file}: ${errorMessage(err)} (fix security.audit_file or the directory's permissions)`, { cause: err });
    }
  }

  write(record: AuditRecord | AuditSummary): boolean {
    if (this.#fd === undefined) return false;
    try {
      writeSync(this.#fd, auditLine(record));
      return true;
    } catch (err) {
      this.#log.error(`cannot write the audit log ${this.file}: ${errorMessage(err)}; refusing requests until it can be written`);
      return false;
    }
  }

  close(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch {
      // closing at shutdown: nothing useful to do
    }
    this.#fd = undefined;
  }
}
