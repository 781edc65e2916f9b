import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { jobReadOptions } from './job-options.js';

export const command = 'list';
export const describe = 'List the async jobs kept in the job stream, with replies received / nodes expected';

export function builder(y: Argv<object>): Argv<object> {
  return jobReadOptions(y, false)
    .example('$0 job list', 'Every job kept, oldest first, and the stream\'s retention')
    .example('$0 job list --json', 'As JSON: id, time, agent, action, callerid, expected, replies, complete');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runJobList } = await import('../run/job-list.js');
  return runJobList(argv, io);
}
