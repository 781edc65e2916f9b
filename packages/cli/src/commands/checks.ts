import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import * as list from './checks-list.js';
import * as history from './checks-history.js';
import * as maintenance from './checks-maintenance.js';
import * as resume from './checks-resume.js';
import * as run from './checks-run.js';

export const command = 'checks';
export const describe = "The fleet's check states, instantly from the bus (checks history|run|maintenance|resume)";
export const subcommands: readonly CliCommand[] = [list, history, run, maintenance, resume];
/** `cohort checks` alone lists the states (its default subcommand, checks-list.ts). */
export const runsWithoutSubcommand = true;

export function builder(y: Argv<object>): Argv<object> {
  return y;
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  return list.handler(argv, io);
}
