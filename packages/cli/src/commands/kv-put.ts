import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { kvOptions } from './kv-options.js';

export const command = 'put <KEY> [VALUE]';
export const describe = 'Store a value under a key (the value, or - for standard input)';

export function builder(y: Argv<object>): Argv<object> {
  return kvOptions(y)
    .positional('KEY', { type: 'string', describe: 'Key: letters, digits and - _ / = . (dots separate parts for watch filters)' })
    .positional('VALUE', { type: 'string', describe: 'The value; - reads standard input (up to 1 MiB)' })
    // yargs re-parses positionals as flags, where a lone '-' would read as an empty value.
    .nargs('VALUE', 1)
    .option('history', { type: 'number', requiresArg: true, describe: 'Revisions kept per key when this put creates the bucket (default kv.history or 10)' })
    .option('replicas', { type: 'number', requiresArg: true, describe: 'Copies in a JetStream cluster when this put creates the bucket (default kv.replicas or 1)' })
    .example('$0 kv put db/primary 10.0.0.5', 'Store a value')
    .epilog('--json: {"bucket", "key", "revision"}');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKv } = await import('../run/kv.js');
  return runKv('put', argv, io);
}
