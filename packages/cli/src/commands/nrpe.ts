import type { Argv } from 'yargs';
import { bool, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, groups, timeoutOption } from '../options.js';

export const command = 'nrpe <check>';
export const describe = 'Run an NRPE check on every matching node: the non-OK hosts, then a Summary of Exit Code';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) =>
    timeoutOption(o, 'Seconds to wait for replies (default: the nrpe DDL timeout + 2)')
      .option('args', {
        alias: 'a',
        type: 'string',
        requiresArg: true,
        group: groups.request,
        describe: "Arguments for the command's $ARGn$ macros, separated by ! (the nodes must allow arguments)",
      })
      .option('display', {
        type: 'string',
        choices: ['ok', 'failed', 'all', 'always', 'none'],
        group: groups.output,
        describe: 'Which replies to print (default: the non-OK ones; all with -v)',
      }),
  )
    .positional('check', { type: 'string', describe: 'NRPE command name, as in command[NAME]=... on the nodes' })
    .example('$0 nrpe check_load -W role=web', 'Load on the web servers: lists WARNING/CRITICAL/UNKNOWN hosts and the counts')
    .example('$0 nrpe check_disk -v', 'Every host, OK ones included, plus statistics')
    .example("$0 nrpe check_users -a '5!10' -C login", 'Fill $ARG1$=5 and $ARG2$=10 (needs dont_blame_nrpe=1 on the nodes)')
    .epilog(
      'Same as: cohort rpc nrpe runcommand command=CHECK [args=...]. Hosts whose check is not OK reply with status 1, ' +
        'so they are the ones shown and the exit code is 1; the Summary of Exit Code counts every reply.\n\n' +
        'Exit codes: 0 every node OK, 1 some not OK or did not reply, 2 bad usage, 3 no node matched, 4 NATS unreachable.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runRpc } = await import('../run/rpc.js');
  const args = str(argv, 'args');
  const display = str(argv, 'display') ?? (bool(argv, 'verbose') ? 'all' : undefined);
  return runRpc(
    {
      ...argv,
      agent: 'nrpe',
      action: 'runcommand',
      inputs: [`command=${str(argv, 'check') ?? ''}`, ...(args !== undefined ? [`args=${args}`] : [])],
      display,
    },
    io,
  );
}
