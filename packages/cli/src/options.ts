import type { Argv } from 'yargs';
import { securityOptions } from './options-security.js';

/**
 * Option definitions shared by the commands. Only yargs types are imported
 * here, so building the parser (and `--help`) loads nothing heavy.
 */

export const groups = {
  filters: 'Discovery filters:',
  discovery: 'Discovery:',
  request: 'Request:',
  output: 'Output:',
  connection: 'Connection and configuration:',
} as const;

type Y = Argv<object>;

/** -F -C -I -A -W -S -T: every flag repeatable; all must match (identities are ORed). */
export function filterOptions(y: Y): Y {
  const g = groups.filters;
  return y
    .option('with-fact', {
      alias: ['F', 'wf'],
      type: 'string',
      requiresArg: true,
      group: g,
      describe: 'Fact filter: name=value, name=/regex/, name!=value, cpus>=4 (also <, >, <=); nested facts with dots: os.family=debian',
    })
    .option('with-class', { alias: ['C', 'wc'], type: 'string', requiresArg: true, group: g, describe: 'Node has this class (/regex/ allowed)' })
    .option('with-identity', { alias: ['I', 'wi'], type: 'string', requiresArg: true, group: g, describe: 'Node identity (/regex/ allowed); several -I are ORed. Plain identities skip discovery' })
    .option('with-agent', { alias: ['A', 'wa'], type: 'string', requiresArg: true, group: g, describe: 'Node runs this agent' })
    .option('with', { alias: 'W', type: 'string', requiresArg: true, group: g, describe: 'Space-separated fact expressions and classes: -W "role=db mysql"' })
    .option('select', {
      alias: 'S',
      type: 'string',
      requiresArg: true,
      group: g,
      describe: "Compound expression: -S '(role=web and country=de) or not /^apache/' (and, or, not, parentheses, fact('os.family')=redhat)",
    })
    .option('target', { alias: 'T', type: 'string', requiresArg: true, group: g, describe: 'Collective to address (default: cohort, or collective from the config)' });
}

/** --dt, --discovery-window, --nodes, --dm */
export function discoveryOptions(y: Y): Y {
  const g = groups.discovery;
  return y
    .option('discovery-timeout', { alias: 'dt', type: 'string', requiresArg: true, group: g, describe: 'Seconds to wait for nodes to answer discovery (default 2; also 1500ms)' })
    .option('discovery-window', {
      type: 'string',
      requiresArg: true,
      group: g,
      describe: 'End discovery once no new node answered for this many milliseconds after the first (default 300; 0 waits the full --dt)',
    })
    .option('nodes', {
      type: 'string',
      requiresArg: true,
      group: g,
      describe: 'Skip discovery: identities from FILE (one per line, # comments), or the --json, --jsonl or --senders output of cohort rpc (--json of find); - reads stdin',
    })
    .option('dm', {
      alias: 'discovery-method',
      type: 'string',
      choices: ['broadcast', 'registry', 'flatfile', 'stdin'],
      group: g,
      describe:
        'How to find nodes (default: the registry when it is fresh, else broadcast; -v says which and why): ' +
        'broadcast asks the fleet, registry evaluates the filter on the registered inventory, flatfile = --nodes FILE, stdin = --nodes -',
    });
}

/** --nats, --connect-timeout, then --config and --ddl-dir, then the security flags */
export function connectionOptions(y: Y): Y {
  const g = groups.connection;
  return securityOptions(configOptions(
    y
      .option('nats', { type: 'string', requiresArg: true, group: g, describe: 'NATS server URL(s), repeatable or comma-separated (env COHORT_NATS; default nats://127.0.0.1:4222)' })
      .option('connect-timeout', { type: 'string', requiresArg: true, group: g, describe: 'Seconds to wait for the NATS connection (default 2)' }),
  ));
}

/** --config, --ddl-dir (what commands that only read DDLs need) */
export function configOptions(y: Y): Y {
  const g = groups.connection;
  return y
    .option('config', { type: 'string', requiresArg: true, group: g, describe: 'Client config YAML (env COHORT_CONFIG; default ~/.config/cohort/client.yaml if present)' })
    .option('ddl-dir', { type: 'string', requiresArg: true, group: g, describe: 'Extra directory with agent DDLs, repeatable (searched before the bundled ones)' });
}

/** --json, -v, --np */
export function outputOptions(y: Y): Y {
  const g = groups.output;
  return y
    .option('json', { alias: 'j', type: 'boolean', group: g, describe: 'Print one JSON document (pretty on a terminal, one line otherwise)' })
    .option('verbose', { alias: 'v', type: 'boolean', group: g, describe: 'More detail: statistics, node lists' })
    .option('np', { alias: 'no-progress', type: 'boolean', group: g, describe: 'No progress spinner (never shown with --json or when stderr is not a terminal)' });
}

/** --live: ask the nodes instead of reading the registry (facts, inventory) */
export function liveOption(y: Y): Y {
  return y.option('live', { type: 'boolean', group: groups.discovery, describe: 'Ask the nodes themselves instead of reading the registry (which is instant but up to one heartbeat old)' });
}

/** -t/--timeout */
export function timeoutOption(y: Y, what: string): Y {
  return y.option('timeout', { alias: 't', type: 'string', requiresArg: true, group: groups.request, describe: what });
}

/**
 * The flags every command that talks to the fleet accepts, grouped in help as
 * filters, discovery, then the command's own (`own`), output, connection.
 */
export function fleetOptions(y: Y, own: (y: Y) => Y = (x) => x): Y {
  return connectionOptions(outputOptions(own(discoveryOptions(filterOptions(y)))));
}
