import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as types from './ddl-types.js';

export const command = 'ddl <command>';
export const describe = 'DDL helpers (ddl types FILE)';
export const subcommands: readonly CliCommand[] = [types];

export function builder(y: Argv<object>): Argv<object> {
  return y.example('$0 ddl types ddl/rpcutil.json', 'TypeScript types for the rpcutil agent');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a ddl subcommand: cohort ddl types FILE');
}
