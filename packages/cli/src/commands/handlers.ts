import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as run from './handlers-run.js';

export const command = 'handlers <command>';
export const describe = 'Notify people and systems of check state changes: run the handler service (email, webhook, exec)';
export const subcommands: readonly CliCommand[] = [run];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 handlers run --config /etc/cohort/handlers.yaml', 'Consume the check events and run the handlers, exactly once per state change')
    .epilog('See examples/handlers.yaml for a complete file and docs/handlers.md for routing, reminders, flapping, maintenance and the delivery guarantee.');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a handlers subcommand: cohort handlers run --config handlers.yaml');
}
