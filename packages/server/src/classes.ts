import { readFileSync } from 'node:fs';
import { errorMessage } from '@cohort/core';
import { FactsError } from './errors.js';

/** Classes from file text: one per line; blank lines and `#` comments ignored. */
export function parseClasses(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Read a classes file (as written by Puppet: one class per line). A file that
 * does not exist yet means no classes (`missing: true`); any other read error
 * throws FactsError naming the file.
 */
export function readClassesFile(file: string): { classes: string[]; missing: boolean } {
  try {
    return { classes: parseClasses(readFileSync(file, 'utf8')), missing: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { classes: [], missing: true };
    throw new FactsError(file, `cannot read the classes file: ${errorMessage(err)}`, { cause: err });
  }
}
