import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';

export const command = 'userdel <name>';
export const describe = 'Remove a console user (their sessions end at their next request)';

export function builder(y: Argv<object>): Argv<object> {
  return y
    .positional('name', { type: 'string', describe: 'The user name' })
    .option('users', { type: 'string', requiresArg: true, describe: 'The users file (default: users_file of --config, else users.yaml beside it)' })
    .example('$0 web userdel bob --config web.yaml', 'bob can no longer log in');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runWebUserdel } = await import('../run/web-users.js');
  return runWebUserdel(argv, io);
}
