import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { provisionerConnectionOptions, stateOptions } from './provisioner-options.js';

export const command = 'status [identity..]';
export const describe = 'Show every node\'s provisioning state: state, last step, attempts, owner, error';

export function builder(y: Argv<object>): Argv<object> {
  return provisionerConnectionOptions(
    stateOptions(y)
      .positional('identity', { type: 'string', array: true, describe: 'Only these nodes' })
      .option('json', { alias: 'j', type: 'boolean', describe: 'Print the records as JSON' }),
  )
    .example('$0 provisioner status', 'A table of every node the provisioners have seen')
    .example('$0 provisioner status web7 --json', 'One node: steps done, chosen master and CA, certificate fingerprint, error');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runProvisionerStatus } = await import('../run/provisioner-status.js');
  return runProvisionerStatus(argv, io);
}
