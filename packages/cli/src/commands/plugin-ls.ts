import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, groups } from '../options.js';

export const command = 'ls [name]';
export const describe = 'Pushed plugins: the desired version, what each node runs (drift marked), refusals with their reasons';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(y)
    .positional('name', { type: 'string', describe: 'Only this plugin' })
    .option('json', { alias: 'j', type: 'boolean', group: groups.output, describe: 'One JSON document: a row per plugin with its nodes' })
    .option('verbose', { alias: 'v', type: 'boolean', group: groups.output, describe: 'Every node, also those running the desired version' })
    .example('$0 plugin ls', 'Each plugin, its desired version and how many nodes run it')
    .example('$0 plugin ls hello -v', 'Every node running or refusing hello')
    .epilog(
      'The desired version comes from the signed manifest (checked against your trusted issuers: one that does not verify is shown ' +
        'with the reason, and nodes refuse it too); what nodes run comes from their signed registry records. DRIFT marks a node running ' +
        'another version, REFUSED one that would not install the desired version (untrusted signer, digest mismatch, bad DDL...). ' +
        'Exit code 1 when any node drifts or refused.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runPluginLs } = await import('../run/plugin-ls.js');
  return runPluginLs(argv, io);
}
