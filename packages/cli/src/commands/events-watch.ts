import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, filterOptions, groups, outputOptions } from '../options.js';

export const command = 'watch';
export const describe = 'Print check state changes live, one line per event, until stopped';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(filterOptions(y)))
    .option('check', { type: 'string', requiresArg: true, group: groups.filters, describe: 'Only this check (repeatable, or comma-separated)' })
    .option('state', { type: 'string', requiresArg: true, group: groups.filters, describe: 'Only changes to this state: ok, warning, critical, unknown, pending, maintenance (repeatable, or comma-separated)' })
    .option('since', { type: 'string', requiresArg: true, group: groups.output, describe: 'Start with the events of this long ago (e.g. 1h), then follow; default: only new events' })
    .option('count', { type: 'string', requiresArg: true, group: groups.output, describe: 'Exit after this many events' })
    .example('$0 events watch', 'Every state change in the collective: time, node, check, previous -> new state, output')
    .example('$0 events watch -F role=db --check disk', "The database servers' disk check")
    .example('$0 events watch --json | jq -c "select(.state == \\"critical\\")"', 'One JSON event (cohort:check-event:1) per line')
    .example('$0 events watch --since 1h --count 10', 'The last hour\'s changes, then new ones, stop after 10')
    .epilog(
      "Follows the collective's check events stream with an ephemeral consumer (it takes nothing from other readers, " +
        'such as the handler service). Every event is verified: it must be signed by the node its subject names; others ' +
        'are ignored (listed with -v, counted when stopping). Filters are evaluated on the registry as it changes.\n\n' +
        '--json: one object per line, the event as the node signed it: {"protocol": "cohort:check-event:1", "id", ' +
        '"collective", "identity", "check", "sequence", "previous", "state", "hard", "output", "perfdata", "time", ' +
        '"interval", "handlers", "maintenance"?}.\n\nStop with Ctrl-C (or SIGTERM); exit 0. See docs/checks.md.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runEventsWatch } = await import('../run/events-watch.js');
  return runEventsWatch(argv, io);
}
