import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, groups } from '../options.js';

export const command = 'rollback <name>';
export const describe = 'Make the previously pushed version of a plugin the desired one again (signed with your key)';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(y)
    .positional('name', { type: 'string', describe: 'Plugin name' })
    .option('batch', { type: 'number', requiresArg: true, group: groups.request, describe: 'Staged rollout of the rollback (default: as the current manifest)' })
    .option('settle', { type: 'number', requiresArg: true, group: groups.request, describe: 'With --batch: seconds each node keeps its slot (default 5)' })
    .example('$0 plugin rollback hello', 'Nodes go back to the version before the current one')
    .epilog('Starts from the newest manifest that verifies, checks the earlier pack against its recorded sha256, and signs a manifest naming it. Nodes that kept the earlier version on disk switch without fetching. Run it again to go further back (up to 5 releases are remembered).');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runPluginRollback } = await import('../run/plugin-push.js');
  return runPluginRollback(argv, io);
}
