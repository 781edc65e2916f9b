import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions } from '../options.js';

export const command = 'rm <name>';
export const describe = 'Remove a pushed plugin from every node (a signed removal; rollback brings it back)';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(y)
    .positional('name', { type: 'string', describe: 'Plugin name' })
    .example('$0 plugin rm hello', 'Nodes unload hello and delete its files')
    .epilog('Writes a manifest with no release, signed with your key: nodes that trust you (and whose policy allows you plugin#push) unload the agent and delete its files. An unsigned delete of the manifest is ignored by nodes. The packs stay in the object store, so cohort plugin rollback NAME restores the last version.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runPluginRm } = await import('../run/plugin-push.js');
  return runPluginRm(argv, io);
}
