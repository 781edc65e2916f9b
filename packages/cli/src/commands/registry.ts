import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as check from './registry-check.js';
import * as list from './registry-list.js';

export const command = 'registry <command>';
export const describe = 'The registry of node inventories (registry list, registry check)';
export const subcommands: readonly CliCommand[] = [list, check];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 registry list -F role=web', 'Registered web servers and the age of their records')
    .example('$0 registry check', 'Nagios check: CRITICAL when a node missed its heartbeat');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a registry subcommand: cohort registry list, cohort registry check');
}
