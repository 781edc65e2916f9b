import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as doc from './plugin-doc.js';

export const command = 'plugin <command>';
export const describe = 'Agent plugin helpers (plugin doc AGENT)';
export const subcommands: readonly CliCommand[] = [doc];

export function builder(y: Argv<object>): Argv<object> {
  return y.example('$0 plugin doc rpcutil', "Show rpcutil's actions, inputs and outputs");
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a plugin subcommand: cohort plugin doc AGENT');
}
