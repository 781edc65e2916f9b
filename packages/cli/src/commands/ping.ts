import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions } from '../options.js';

export const command = 'ping';
export const describe = 'Find the matching nodes and show how long each took to answer';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y)
    .example('$0 ping', 'Every node, with round-trip times and statistics')
    .example('$0 ping -F os.family=debian --dt 5', 'Debian nodes only, waiting up to 5 s for slow ones')
    .epilog('Prints `<identity>  time=<ms> ms` per node as it answers, then min/max/avg. Exit 3 when no node answers.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runPing } = await import('../run/ping.js');
  return runPing(argv, io);
}
