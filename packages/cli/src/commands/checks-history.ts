import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, outputOptions } from '../options.js';

export const command = 'history <node> <check>';
export const describe = "One node's check: its state and its last results, newest first";

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(y))
    .positional('node', { type: 'string', describe: 'Node identity' })
    .positional('check', { type: 'string', describe: 'Check name' })
    .option('target', { alias: 'T', type: 'string', requiresArg: true, describe: 'Collective (default: cohort, or collective from the config)' })
    .example('$0 checks history web1 load', 'State, since when, and the last 15 results with their output and duration')
    .example('$0 checks history web1 load --json', 'The verified state record as JSON (with "stale")')
    .epilog('Read from the checks bucket and verified against the node keys, as cohort checks. Exit codes: 0 shown, 1 the stored record did not verify, 3 no such state.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runChecksHistory } = await import('../run/checks.js');
  return runChecksHistory(argv, io);
}
