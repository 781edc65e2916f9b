import { CohortError } from '../errors.js';

/** A plugin directory, meta file, pack or manifest is not acceptable; the message names the offending thing. */
export class PluginPackError extends CohortError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PLUGIN', message, options);
  }
}
