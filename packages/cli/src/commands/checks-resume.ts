import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, timeoutOption } from '../options.js';

export const command = 'resume [check]';
export const describe = 'End the maintenance of a check (all checks without a name) on the matching nodes';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) => timeoutOption(o, 'Seconds to wait for the nodes (default: the DDL timeout)'))
    .positional('check', { type: 'string', describe: 'Check to resume; every check of each node when left out' })
    .example('$0 checks resume disk -I db1', "db1's disk check notifies again")
    .epilog("Calls the checks agent's resume action (signed, authorized by actionpolicy).\n\nExit codes: as cohort rpc.");
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { checksAgentInputs } = await import('../run/checks-agent.js');
  const { runRpc } = await import('../run/rpc.js');
  return runRpc({ ...argv, agent: 'checks', action: 'resume', inputs: checksAgentInputs('resume', argv) }, io);
}
