import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, groups, timeoutOption } from '../options.js';

export const command = 'update [name]';
export const describe = 'Run mine functions now on the matching nodes (all of them without a name), as salt -b 20 mine.update';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) => timeoutOption(o, 'Seconds to wait for the nodes (default 62)'))
    .positional('name', { type: 'string', describe: 'Mine function to run; every function of each node when left out' })
    .option('batch', { type: 'string', requiresArg: true, group: groups.request, describe: 'Update N nodes (or N%) at a time' })
    .option('batch-sleep', { type: 'string', requiresArg: true, group: groups.request, describe: 'Seconds to sleep between batches (default 1)' })
    .example('$0 mine update --batch 20', 'Every function on every node, 20 nodes at a time')
    .example('$0 mine update check_mk -F role=web', 'Refresh check_mk on the web servers now')
    .epilog('Calls the mine agent\'s update action (signed, authorized by actionpolicy like any request); each node replies once the new values are written.\n\nExit codes: as cohort rpc.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runRpc } = await import('../run/rpc.js');
  const name = typeof argv['name'] === 'string' ? argv['name'] : undefined;
  return runRpc({ ...argv, agent: 'mine', action: 'update', inputs: name === undefined ? [] : [`function=${name}`] }, io);
}
