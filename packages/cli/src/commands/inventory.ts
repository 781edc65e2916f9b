import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, liveOption, timeoutOption } from '../options.js';

export const command = 'inventory <identity>';
export const describe = "Show one node's agents, classes and facts";

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) => liveOption(timeoutOption(o, 'Seconds to wait for the reply (default: the rpcutil DDL timeout + 2)')))
    .positional('identity', { type: 'string', describe: 'Identity of the node' })
    .example('$0 inventory web1', 'Agents, classes and facts (nested facts flattened: os.family => Debian)')
    .example('$0 inventory web1 --json', 'The raw inventory as JSON')
    .example('$0 inventory web1 --live', 'Ask the node itself instead of reading its registry record');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runInventory } = await import('../run/inventory.js');
  return runInventory(argv, io);
}
