import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, groups } from '../options.js';

export const command = 'export <name>';
export const describe = "Mirror a mine function into one file per node (for Checkmk's datasource program); runs until stopped";

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(y)
    .positional('name', { type: 'string', describe: 'Mine function, e.g. check_mk' })
    .option('dir', { type: 'string', requiresArg: true, demandOption: true, group: groups.output, describe: 'Directory of the mirror, e.g. /dev/shm/cohort-mine (created if missing)' })
    .option('max-age', { type: 'string', requiresArg: true, group: groups.output, describe: 'Mark a value stale after this age (default: twice its interval)' })
    .option('target', { alias: 'T', type: 'string', requiresArg: true, describe: 'Collective (default: cohort, or collective from the config)' })
    .example('$0 mine export check_mk --dir /dev/shm/cohort-mine', 'Keep /dev/shm/cohort-mine/<identity> current')
    .epilog(
      'Watches the mine bucket (no polling) and keeps DIR/<identity> current: each file is written to a temporary name ' +
        'and renamed into place, so a reader never sees a partial file and needs no lock. The first line is a header ' +
        '"cohort-mine/1 <state> <time_s> <stale_at_s> <statuscode> <time_ms> <boot_id> <time_up_s> <stale_at_up_s>" (the last three, ' +
        'seconds since this boot, only where /proc/uptime exists: the datasource program then needs no date process), then the output (or the data as JSON). A value that ' +
        'turns stale is rewritten with state stale; a value that is removed (the node left) has its file removed; both ' +
        'within a second. Values that do not verify against the node keys are never written. Read a host with the ' +
        'datasource program cohort-mine-cat (docs/mine.md).',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runMineExport } = await import('../run/mine-export.js');
  return runMineExport(argv, io);
}
