import type { Argv } from 'yargs';
import type { CliCommand } from '../command.js';
import type { Outcome } from '../exit.js';
import * as list from './job-list.js';
import * as show from './job-show.js';
import * as watch from './job-watch.js';

export const command = 'job <command>';
export const describe = 'Async jobs sent with cohort rpc --async (job show, job watch, job list)';
export const subcommands: readonly CliCommand[] = [show, watch, list];

export function builder(y: Argv<object>): Argv<object> {
  return y
    .example('$0 rpc puppetral do type=package name=tree ensure=present --async', 'Send, print the job id at once, exit')
    .example('$0 job watch JOBID', 'Print replies as they arrive until every node replied')
    .example('$0 job show JOBID --json', 'The replies stored so far, the summary and the missing nodes')
    .example('$0 job list', 'Jobs kept in the job stream, with replies / expected nodes')
    .epilog('Replies of async jobs are stored by the NATS server (JetStream stream cohort_jobs_<collective>) whether or not the client is still running; see docs/operations.md.');
}

export async function handler(): Promise<Outcome> {
  const { UsageError } = await import('@cohort/core');
  throw new UsageError('give a job subcommand: cohort job show ID, cohort job watch ID, cohort job list');
}
