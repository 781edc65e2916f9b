import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { timeoutOption } from '../options.js';
import { jobReadOptions } from './job-options.js';

export const command = 'watch <id>';
export const describe = 'Print the replies of an async job as they arrive, until every node replied or the timeout';

export function builder(y: Argv<object>): Argv<object> {
  return timeoutOption(jobReadOptions(y), "Seconds to wait from now (default: until the job's own deadline, its DDL timeout + 2 s after it was sent)")
    .positional('id', { type: 'string', describe: 'Job id, as printed by cohort rpc --async' })
    .example('$0 job watch 6f1c0c8e4b2a4d5e9a7b3c2d1e0f9a8b -t 60', 'Wait up to a minute for the rest')
    .epilog('Exit codes: 0 every node replied OK, 1 some failed or did not reply in time, 2 unknown job or bad usage, 4 NATS unreachable.');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runJobWatch } = await import('../run/job-watch.js');
  return runJobWatch(argv, io);
}
