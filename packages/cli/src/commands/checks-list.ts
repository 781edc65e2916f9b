import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, filterOptions, groups, outputOptions } from '../options.js';

/** `cohort checks [filters]`: the default subcommand of `cohort checks`. */
export const command = '$0';
export const describe = "The fleet's check states, instantly from the bus";

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(filterOptions(y)))
    .option('check', { type: 'string', requiresArg: true, group: groups.filters, describe: 'Only this check (repeatable, or comma-separated)' })
    .option('state', {
      type: 'string',
      requiresArg: true,
      group: groups.output,
      describe: 'Only checks in this state: ok, warning, critical, unknown (includes stale), pending, maintenance, stale (repeatable, or comma-separated)',
    })
    .example('$0 checks', 'Every check of every node: identity, check, state, since, output')
    .example('$0 checks --state critical,warning -F role=web', 'What is wrong on the web servers (exit 3 when nothing is)')
    .example('$0 checks --check load --json', 'The load check of every node as JSON')
    .example('$0 checks history web1 load', "web1's load check: its state and the last 15 results")
    .example('$0 checks run load -F role=web', 'Run the load check on the web servers now')
    .example('$0 checks maintenance disk -I db1 --for 2h --reason "replacing a disk"', 'Silence the handlers for db1\'s disk check for two hours')
    .example('$0 events watch --state critical', 'Follow changes to CRITICAL as they happen (cohort events watch --help)')
    .epilog(
      "Reads the collective's checks bucket (no request to the fleet) and verifies every state against the node keys " +
        '(issuers / node_keys_dir in the client config, --issuer, or the issuer of your own certificate): a record that is ' +
        'forged, unsigned, or signed by another node than the one it speaks for is ignored, counted on stderr and listed ' +
        'with -v. A state whose last run is older than twice its interval is stale: its node stopped reporting, so it ' +
        'shows and counts as UNKNOWN. Filters are evaluated on the registry, as registry discovery does.\n\n' +
        '--json: {"checks": [{"identity", "check", "state", "output", "perfdata", "since", "last_run", "hard", "stale", ' +
        '"interval", "reported_state"?, "maintenance"?}], "stats": {"ok", "warning", "critical", "unknown", "pending", ' +
        '"maintenance", "stale", "total", "refused"}} (times in unix ms, interval in seconds).\n\n' +
        'Exit codes: 0 every matched check is OK (or in maintenance), 1 any other state (warning, critical, unknown, ' +
        'stale, pending), 2 bad usage, 3 nothing matched (or no check states on this bus yet), 4 NATS unreachable. ' +
        'See docs/checks.md.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runChecks } = await import('../run/checks.js');
  return runChecks(argv, io);
}
