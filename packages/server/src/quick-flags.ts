import { parseArgs } from 'node:util';
import { daemonFlags, parseArgsOptions } from './flags.js';
import type { DaemonFlags } from './options.js';

/** Values the daemon accepts for --log-level and --log-format (from the flag table). */
export const flagChoices = {
  'log-level': daemonFlags['log-level'].choices,
  'log-format': daemonFlags['log-format'].choices,
} as const;

const options = parseArgsOptions();

/**
 * Parse the everyday command line (`--config FILE` and friends) without
 * loading yargs, which would otherwise stay in the daemon's memory (~6 MB
 * RSS) for its whole life. Undefined whenever yargs must handle the
 * arguments instead: help, version, an unknown flag, a positional, a missing
 * value or a value outside its choices, so their messages stay the same.
 */
export function quickFlags(args: readonly string[]): DaemonFlags | undefined {
  if (args.some((a) => a === '-h' || a === '--help' || a === '--version')) return undefined;
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch {
    return undefined;
  }
  for (const [flag, allowed] of Object.entries(flagChoices)) {
    const value = values[flag];
    if (value !== undefined && !(allowed as readonly unknown[]).includes(value)) return undefined;
  }
  return values as DaemonFlags;
}
