import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions } from '../options.js';

export const command = 'find';
export const describe = 'List the identities of the nodes matching the filters, one per line, sorted';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y)
    .example('$0 find -F role=web', 'Nodes whose fact role is web')
    .example("$0 find -S '(role=web and country=de) or cpus>=16'", 'Compound filter')
    .example('$0 find -C mysql --json > dbs.json', 'Save the list; later: cohort rpc ... --nodes dbs.json')
    .epilog('Exit 3 (and "No nodes matched the filter" on stderr) when nothing matches.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runFind } = await import('../run/find.js');
  return runFind(argv, io);
}
