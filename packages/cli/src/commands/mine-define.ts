import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, filterOptions, groups } from '../options.js';

export const command = 'define <name> [inputs..]';
export const describe = 'Define a mine function fleet-wide: matching nodes pick it up within seconds, no restart';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(filterOptions(y))
    .positional('name', { type: 'string', describe: 'Function name (letters, digits, _ and -)' })
    .positional('inputs', { type: 'string', array: true, describe: 'Action inputs as key=value, converted and validated by the DDL' })
    .option('agent', { type: 'string', requiresArg: true, demandOption: true, group: groups.request, describe: 'Agent of the action to mine' })
    .option('action', { type: 'string', requiresArg: true, demandOption: true, group: groups.request, describe: 'Action to run' })
    .option('interval', { type: 'string', requiresArg: true, demandOption: true, group: groups.request, describe: 'How often each node runs it: 60s, 5m, 1h' })
    .option('timeout', { type: 'string', requiresArg: true, group: groups.request, describe: 'Per-run timeout (default: the DDL timeout)' })
    .example('$0 mine define os_release --agent rpcutil --action get_fact fact=os.release --interval 5m', 'Every node mines its os.release fact every 5 minutes')
    .example('$0 mine define load --agent rpcutil --action get_fact fact=load --interval 60s -F role=web', 'Only the web servers')
    .epilog(
      'The definition is signed with your key and stored on the bus. A node runs it only if the signature is from a trusted ' +
        'caller, it matches the filters, and its actionpolicy allows you the action: defining a function can never do more ' +
        'than calling the action could. Accepted and refused definitions are audited on the node. Commands cannot be defined ' +
        'from the bus, only in a node\'s own config. Redefining a name replaces it.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runMineDefine } = await import('../run/mine-define.js');
  return runMineDefine(argv, io);
}
