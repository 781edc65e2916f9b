import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, outputOptions } from '../options.js';

export const command = 'ls';
export const describe = 'List the mine functions: where each is defined, how many nodes report it, the oldest value';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(y))
    .option('target', { alias: 'T', type: 'string', requiresArg: true, describe: 'Collective (default: cohort, or collective from the config)' })
    .example('$0 mine ls', 'Functions with node counts and oldest age')
    .example('$0 mine ls --json', 'As JSON: [{function, defined, nodes, fresh, stale, failed, oldest_age_s}]');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runMineLs } = await import('../run/mine-ls.js');
  return runMineLs(argv, io);
}
