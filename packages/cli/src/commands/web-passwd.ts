import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { webUserOptions } from './web-user-options.js';

export const command = 'passwd <name>';
export const describe = "Change a console user's password (from standard input; ends their sessions), and with flags their role, key or allow-list";

export function builder(y: Argv<object>): Argv<object> {
  return webUserOptions(y)
    .option('role', { type: 'string', choices: ['admin', 'watcher'], describe: 'Change the role' })
    .option('keep-password', { type: 'boolean', describe: 'Change only the role, key or allow-list; read no password' })
    .option('allow-all', { type: 'boolean', describe: 'Drop the allow-list: every action' })
    .example('printf "%s\\n" "$PW" | $0 web passwd alice --config web.yaml', 'A new password for alice')
    .example('$0 web passwd alice --keep-password --key alice.key --config web.yaml', 'Give alice a signing key');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runWebPasswd } = await import('../run/web-users.js');
  return runWebPasswd(argv, io);
}
