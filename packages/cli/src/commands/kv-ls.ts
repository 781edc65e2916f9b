import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { kvOptions } from './kv-options.js';

export const command = 'ls [FILTER]';
export const describe = 'List the keys (matching a filter with * and >)';

export function builder(y: Argv<object>): Argv<object> {
  return kvOptions(y)
    .positional('FILTER', { type: 'string', describe: 'Key filter, e.g. haproxy.> (default: every key)' })
    .epilog('--json: ["key", ...]. Exit 3 when the bucket does not exist or no key matches.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKv } = await import('../run/kv.js');
  return runKv('ls', argv, io);
}
