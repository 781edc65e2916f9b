import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as hosts from './nagios-hosts.js';

export const command = 'nagios <command>';
export const describe = 'Nagios integration: host definitions that follow the fleet (nagios hosts)';
export const subcommands: readonly CliCommand[] = [hosts];

export function builder(y: Argv<object>): Argv<object> {
  return y.example('$0 nagios hosts --dir /etc/nagios4/cohort --reload-command "systemctl reload nagios4"', 'Keep one host definition per registered node').epilog('See docs/service-discovery.md.');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a nagios subcommand: cohort nagios hosts');
}
