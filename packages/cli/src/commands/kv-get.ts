import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { kvOptions } from './kv-options.js';

export const command = 'get <KEY>';
export const describe = 'Print the value of a key';

export function builder(y: Argv<object>): Argv<object> {
  return kvOptions(y)
    .positional('KEY', { type: 'string', describe: 'Key' })
    .option('revision', { type: 'number', requiresArg: true, describe: 'A kept older revision instead of the latest' })
    .example('$0 kv get db/primary', 'The value, as stored')
    .epilog('Prints the value as stored (no newline added). --json: {"key", "revision", "operation", "created", "value" (UTF-8) or "value_base64"}. Exit 3 when the bucket or key does not exist.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKv } = await import('../run/kv.js');
  return runKv('get', argv, io);
}
