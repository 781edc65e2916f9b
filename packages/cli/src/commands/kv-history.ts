import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { kvOptions } from './kv-options.js';

export const command = 'history <KEY>';
export const describe = 'List the kept revisions of a key, oldest first';

export function builder(y: Argv<object>): Argv<object> {
  return kvOptions(y)
    .positional('KEY', { type: 'string', describe: 'Key' })
    .epilog('--json: [{"key", "revision", "operation", "created", "value"}]. Exit 3 when the bucket or key does not exist.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKv } = await import('../run/kv.js');
  return runKv('history', argv, io);
}
