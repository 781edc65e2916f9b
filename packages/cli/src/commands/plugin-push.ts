import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, groups } from '../options.js';

export const command = 'push <dir>';
export const describe = 'Pack a plugin directory, sign it with your key and push it to the fleet: nodes with plugin_sync install it without a restart';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(y)
    .positional('dir', { type: 'string', describe: 'The plugin directory: plugin.yaml, the DDL <name>.json and the implementation' })
    .option('batch', { type: 'number', requiresArg: true, group: groups.request, describe: 'Staged rollout: at most N nodes update at once (each holds its slot until --settle after it activated)' })
    .option('settle', { type: 'number', requiresArg: true, group: groups.request, describe: 'With --batch: seconds a node keeps its slot after activating (default 5)' })
    .option('dry-run', { type: 'boolean', group: groups.request, describe: 'Validate and pack only: print the digest and files, store nothing' })
    .option('json', { alias: 'j', type: 'boolean', group: groups.output, describe: 'Print the signed manifest as JSON' })
    .example('$0 plugin push ./hello', 'Every node with plugin_sync: true runs hello within seconds')
    .example('$0 plugin push ./hello --batch 2 --settle 30', 'At most two nodes update at a time, 30 s apart')
    .example('$0 plugin push ./hello --dry-run', 'Check plugin.yaml and the DDL, show what would be pushed')
    .epilog(
      'A plugin directory holds plugin.yaml (name, title, description, version, state: enabled|disabled|debug, config defaults, ' +
        'optional results_template), the agent\'s DDL <name>.json (or .yaml) and its implementation (<name>.js/.mjs). Push checks ' +
        'both, packs the directory deterministically (dot files left out; no links; 256 files, 16 MiB), stores the pack in the ' +
        'collective\'s object store and a manifest signed with your key naming its sha256. A node installs it only when your key is ' +
        'trusted, its actionpolicy allows you plugin#push, and every byte matches; otherwise it keeps what it runs and says why ' +
        '(cohort plugin ls, its log and audit log). A version cannot be pushed twice with different content. See docs/plugins.md.',
    );
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runPluginPush } = await import('../run/plugin-push.js');
  return runPluginPush(argv, io);
}
