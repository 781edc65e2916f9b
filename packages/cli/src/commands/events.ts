import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as watch from './events-watch.js';

export const command = 'events <command>';
export const describe = 'Check state changes as the nodes publish them (events watch)';
export const subcommands: readonly CliCommand[] = [watch];

export function builder(y: Argv<object>): Argv<object> {
  return y.example('$0 events watch -F role=web', 'Follow the state changes of the web servers').epilog('See docs/checks.md.');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give an events subcommand: cohort events watch');
}
