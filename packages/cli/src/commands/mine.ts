import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as define from './mine-define.js';
import * as exportCmd from './mine-export.js';
import * as get from './mine-get.js';
import * as ls from './mine-ls.js';
import * as undefine from './mine-undefine.js';
import * as update from './mine-update.js';

export const command = 'mine <command>';
export const describe = 'Node data mined on a schedule and kept on the bus (mine get, ls, update, define, undefine, export)';
export const subcommands: readonly CliCommand[] = [get, ls, update, define, undefine, exportCmd];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 mine get os_release -F role=web', "Every web server's latest os_release value, with its age")
    .example('$0 mine export check_mk --dir /dev/shm/cohort-mine', 'Mirror check_mk outputs into one file per node for Checkmk')
    .epilog('Functions are declared in cohortd\'s config (mine:) and drop-in directory (mine_dir), or fleet-wide with cohort mine define. See docs/mine.md.');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a mine subcommand: cohort mine get|ls|update|define|undefine|export');
}
