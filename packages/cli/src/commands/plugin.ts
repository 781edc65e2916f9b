import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as doc from './plugin-doc.js';
import * as push from './plugin-push.js';
import * as ls from './plugin-ls.js';
import * as rollback from './plugin-rollback.js';
import * as rm from './plugin-rm.js';

export const command = 'plugin <command>';
export const describe = 'Agent plugins: documentation (doc) and pushing them to the fleet (push, ls, rollback, rm)';
export const subcommands: readonly CliCommand[] = [doc, push, ls, rollback, rm];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 plugin doc rpcutil', "Show rpcutil's actions, inputs and outputs")
    .example('$0 plugin push ./hello', 'Sign and push the plugin in ./hello; nodes with plugin_sync install it without a restart')
    .example('$0 plugin ls', 'Desired versions and what each node runs')
    .epilog('Pushed plugins: docs/plugins.md (the directory layout, plugin.yaml, how nodes verify, staged rollout, troubleshooting).');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a plugin subcommand: cohort plugin doc|push|ls|rollback|rm');
}
