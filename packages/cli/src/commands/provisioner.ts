import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as retry from './provisioner-retry.js';
import * as run from './provisioner-run.js';
import * as status from './provisioner-status.js';

export const command = 'provisioner <command>';
export const describe = 'Provision new nodes unattended: run the provisioner, show every node\'s state, retry one';
export const subcommands: readonly CliCommand[] = [run, status, retry];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 provisioner run --config /etc/cohort/pipeline.yaml', 'Take every node waiting in the provisioning collective through the pipeline')
    .example('$0 provisioner status', 'Every node\'s provisioning state, last step, attempts and error')
    .example('$0 provisioner retry web7.example.net', 'Provision web7 again from the first step')
    .epilog('See examples/provisioning/ for a complete pipeline file and the README section Provisioning.');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a provisioner subcommand: cohort provisioner run --config pipeline.yaml, cohort provisioner status, cohort provisioner retry NODE');
}
