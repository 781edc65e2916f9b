import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, filterOptions, outputOptions } from '../options.js';

export const command = 'list';
export const describe = 'List the registered nodes matching the filters, with the age of their records';

export function builder(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(filterOptions(y)))
    .example('$0 registry list', 'Every registered node')
    .example('$0 registry list -C mysql --json', 'As JSON: identity, age_s, stale, interval, version, collectives');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runRegistryList } = await import('../run/registry-list.js');
  return runRegistryList(argv, io);
}
