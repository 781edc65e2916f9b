import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { kvOptions } from './kv-options.js';

export const command = 'watch [FILTER]';
export const describe = 'Print changes to keys as they happen (the current values first)';

export function builder(y: Argv<object>): Argv<object> {
  return kvOptions(y)
    .positional('FILTER', { type: 'string', describe: 'Key filter, e.g. haproxy.> (default: every key)' })
    .option('updates-only', { type: 'boolean', describe: 'Do not print the current values first' })
    .option('count', { type: 'number', requiresArg: true, describe: 'Stop after this many changes' })
    .epilog('One line per change: REVISION KEY PUT|DEL|PURGE VALUE; --json: one JSON object per line. Runs until interrupted (or --count).');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKv } = await import('../run/kv.js');
  return runKv('watch', argv, io);
}
