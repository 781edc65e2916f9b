import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { kvOptions } from './kv-options.js';

export const command = 'del <KEY>';
export const describe = 'Delete a key (its history is kept unless --purge)';

export function builder(y: Argv<object>): Argv<object> {
  return kvOptions(y)
    .positional('KEY', { type: 'string', describe: 'Key' })
    .option('purge', { type: 'boolean', describe: 'Also drop the history of the key' })
    .epilog('Exit 3 when the bucket or key does not exist.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runKv } = await import('../run/kv.js');
  return runKv('del', argv, io);
}
