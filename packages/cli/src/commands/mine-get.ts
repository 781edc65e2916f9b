import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, filterOptions, groups, outputOptions } from '../options.js';

export const command = 'get <name>';
export const describe = "Read every matching node's latest value of a mine function, with its age";

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(filterOptions(y)))
    .positional('name', { type: 'string', describe: 'Mine function, e.g. os_release' })
    .option('max-age', { type: 'string', requiresArg: true, group: groups.output, describe: 'A value older than this is stale (default: twice its interval); e.g. 90s, 5m' })
    .example('$0 mine get os_release', 'Every node holding an os_release value')
    .example('$0 mine get check_mk -I web1 --json', "web1's check_mk output as JSON")
    .example('$0 mine get load -F role=db --max-age 2m', 'Database servers; values older than 2 minutes count as stale')
    .epilog(
      'Reads the mine bucket of the collective (no request to the fleet) and verifies every value against the node keys ' +
        '(issuers / node_keys_dir in the client config, --issuer, or the issuer of your own certificate). Filters are ' +
        'evaluated on the registry exactly as registry discovery does; without a filter every node holding a value is shown.\n\n' +
        '--json: {"function", "values": [{"identity", "state", "time", "age_s", "stale", "statuscode", "statusmsg", "interval", "data"|"output"}], ' +
        '"stats": {"matched", "fresh", "stale", "missing", "failed"}}\n\n' +
        'Exit codes: 0 every matched node has a fresh value, 1 some are stale, missing or failed, 2 bad usage, 3 nothing matched, 4 NATS unreachable.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runMineGet } = await import('../run/mine-get.js');
  return runMineGet(argv, io);
}
