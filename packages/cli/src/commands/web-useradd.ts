import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { webUserOptions } from './web-user-options.js';

export const command = 'useradd <name>';
export const describe = 'Add a console user (password read from standard input)';

export function builder(y: Argv<object>): Argv<object> {
  return webUserOptions(y)
    .option('role', { type: 'string', choices: ['admin', 'watcher'], demandOption: 'give the role: --role admin (runs actions) or --role watcher (sees everything, changes nothing)', describe: 'admin runs actions; watcher only looks' })
    .example('printf "%s\\n" "$PW" | $0 web useradd alice --role admin --key alice.key --config web.yaml', 'An admin signing as her key\'s caller id')
    .example('$0 web useradd bob --role watcher --users users.yaml < pw.txt', 'A watcher');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runWebUseradd } = await import('../run/web-users.js');
  return runWebUseradd(argv, io);
}
