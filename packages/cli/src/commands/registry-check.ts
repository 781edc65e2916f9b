import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { fleetOptions, groups } from '../options.js';

export const command = 'check';
export const describe = 'Nagios check of the registry: nodes that missed their heartbeat (stale) or are not registered (missing)';

export function builder(y: Argv<object>): Argv<object> {
  return fleetOptions(y, (o) =>
    o
      .option('warning', { alias: 'w', type: 'string', requiresArg: true, group: groups.request, describe: 'WARNING from this many stale + missing nodes (default: never WARNING)' })
      .option('critical', { alias: 'c', type: 'string', requiresArg: true, group: groups.request, describe: 'CRITICAL from this many stale + missing nodes (default 1)' })
      .option('stale', {
        type: 'string',
        requiresArg: true,
        group: groups.request,
        describe: "A record older than this many seconds is stale (default: the node's heartbeat interval + 30 s)",
      }),
  )
    .example('$0 registry check', 'CRITICAL when any node missed its heartbeat')
    .example('$0 registry check --nodes /etc/cohort/expected-nodes -w 1 -c 5', 'Also report expected nodes that are not registered; WARNING from 1, CRITICAL from 5')
    .epilog(
      'Output: REGISTRY STATE: summary|totalhosts=N oldhosts=S currenthosts=C missinghosts=M checktime=Xs, then one line per stale or missing node. ' +
        'Exit codes (Nagios): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (no registry, NATS unreachable, bad flags).',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runRegistryCheck } = await import('../run/registry-check.js');
  return runRegistryCheck(argv, io);
}
