import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions } from '../options.js';

export const command = 'undefine <name>';
export const describe = 'Remove a fleet-wide mine definition: nodes stop running it and remove their values';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(y)
    .positional('name', { type: 'string', describe: 'Function name given to cohort mine define' })
    .option('target', { alias: 'T', type: 'string', requiresArg: true, describe: 'Collective (default: cohort, or collective from the config)' })
    .example('$0 mine undefine os_release', 'Stop mining os_release fleet-wide');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runMineUndefine } = await import('../run/mine-define.js');
  return runMineUndefine(argv, io);
}
