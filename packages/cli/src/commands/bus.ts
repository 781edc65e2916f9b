import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as init from './bus-init.js';

export const command = 'bus <command>';
export const describe = 'Administer the bus: create every stream and bucket of a collective (bus init)';
export const subcommands: readonly CliCommand[] = [init];

export function builder(y: Argv<object>): Argv<object> {
  return y.example('$0 bus init --config admin.yaml', 'As the NATS admin user: create what nodes and operators may not create themselves');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a bus subcommand: cohort bus init');
}
