import { CohortError, ConfigError } from '@cohort/core';

/** A facts or classes file could not be read or parsed. Refuses startup (exit 2); on reload the old facts stay. */
export class FactsError extends ConfigError {
  readonly file: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`facts file ${file}: ${reason}`, options);
    this.file = file;
  }
}

/** A custom agent in a plugin directory could not be loaded; it is skipped. */
export class PluginError extends CohortError {
  readonly file: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super('PLUGIN', `${file}: ${reason}`, options);
    this.file = file;
  }
}
