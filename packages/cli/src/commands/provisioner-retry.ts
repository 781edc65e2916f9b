import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { provisionerConnectionOptions, stateOptions } from './provisioner-options.js';

export const command = 'retry <node>';
export const describe = 'Provision NODE again from the first step, now (a failed node without its cool-down, or a done one)';

export function builder(y: Argv<object>): Argv<object> {
  return provisionerConnectionOptions(
    stateOptions(y)
      .positional('node', { type: 'string', describe: 'Identity of the node' })
      .option('force', { type: 'boolean', describe: 'Also when a provisioner is working on it right now (it loses its claim)' }),
  )
    .example('$0 provisioner retry web7.example.net', 'Re-queue web7: running provisioners pick it up at once')
    .example('$0 provisioner retry web7 --force', 'Take web7 from a provisioner that is stuck on it');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runProvisionerRetry } = await import('../run/provisioner-retry.js');
  return runProvisionerRetry(argv, io);
}
