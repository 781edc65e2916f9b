import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, groups, timeoutOption } from '../options.js';

export const command = 'maintenance [check]';
export const describe = 'Put a check (all checks without a name) of the matching nodes in maintenance: handlers stay silent until it expires';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) => timeoutOption(o, 'Seconds to wait for the nodes (default: the DDL timeout)'))
    .positional('check', { type: 'string', describe: 'Check to silence; every check of each node when left out' })
    .option('for', { type: 'string', requiresArg: true, demandOption: true, group: groups.request, describe: 'How long: 30m, 2h, 1d (it ends by itself)' })
    .option('reason', { type: 'string', requiresArg: true, demandOption: true, group: groups.request, describe: 'Why (shown in cohort checks and kept with the state)' })
    .example('$0 checks maintenance disk -I db1 --for 2h --reason "replacing a disk"', "db1's disk check shows MAINTENANCE for two hours; no notifications")
    .example('$0 checks maintenance -F role=web --for 30m --reason deploy', 'Every check of the web servers, for a deploy')
    .epilog("Calls the checks agent's maintenance action (signed, authorized by actionpolicy). The check keeps running and its real result is kept; cohort checks resume ends it early.\n\nExit codes: as cohort rpc.");
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { checksAgentInputs } = await import('../run/checks-agent.js');
  const { runRpc } = await import('../run/rpc.js');
  return runRpc({ ...argv, agent: 'checks', action: 'maintenance', inputs: checksAgentInputs('maintenance', argv) }, io);
}
