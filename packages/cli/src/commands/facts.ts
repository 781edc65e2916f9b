import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, liveOption, timeoutOption } from '../options.js';

export const command = 'facts <fact>';
export const describe = 'Report how many nodes have each value of a fact';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) => liveOption(timeoutOption(o, 'Seconds to wait for replies (default: the rpcutil DDL timeout + 2)')))
    .positional('fact', { type: 'string', describe: 'Fact name; nested facts with dots, e.g. os.family' })
    .example('$0 facts os.family', 'Count nodes per OS family')
    .example('$0 facts os.family --live', 'Ask every node now instead of reading the registry')
    .example('$0 facts role -v', 'Also list the nodes having each value')
    .example('$0 facts country -F role=web --json', 'JSON: values with counts and nodes');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runFacts } = await import('../run/facts.js');
  return runFacts(argv, io);
}
