import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { jobReadOptions } from './job-options.js';

export const command = 'show <id>';
export const describe = 'Show an async job: the replies stored so far, the summary, and the nodes that have not replied';

export function builder(y: Argv<object>): Argv<object> {
  return jobReadOptions(y)
    .positional('id', { type: 'string', describe: 'Job id, as printed by cohort rpc --async' })
    .example('$0 job show 6f1c0c8e4b2a4d5e9a7b3c2d1e0f9a8b', 'Replies, summary, missing nodes')
    .epilog('Exit codes: 0 every node replied OK, 1 some failed or have not replied, 2 unknown job or bad usage, 4 NATS unreachable.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runJobShow } = await import('../run/job-show.js');
  return runJobShow(argv, io);
}
