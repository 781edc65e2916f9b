import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, groups, timeoutOption } from '../options.js';

export const command = 'run [check]';
export const describe = 'Run a check now on the matching nodes (every check of each node without a name)';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) => timeoutOption(o, 'Seconds to wait for the nodes (default: the DDL timeout)'))
    .positional('check', { type: 'string', describe: 'Check to run; all of them when left out' })
    .option('batch', { type: 'string', requiresArg: true, group: groups.request, describe: 'Run on N nodes (or N%) at a time' })
    .option('batch-sleep', { type: 'string', requiresArg: true, group: groups.request, describe: 'Seconds to sleep between batches (default 1)' })
    .example('$0 checks run load -F role=web', 'Run the load check on the web servers now; their new states are in cohort checks')
    .example('$0 checks run -I db1', "Run every check of db1 now")
    .epilog("Calls the checks agent's run action (signed, authorized by actionpolicy like any request). The new states and any state change events follow as usual.\n\nExit codes: as cohort rpc.");
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { checksAgentInputs } = await import('../run/checks-agent.js');
  const { runRpc } = await import('../run/rpc.js');
  return runRpc({ ...argv, agent: 'checks', action: 'run', inputs: checksAgentInputs('run', argv) }, io);
}
