import type { Argv } from 'yargs';
import { connectionOptions, groups, outputOptions } from '../options.js';

type Y = Argv<object>;

/** --jobs-max-age, --jobs-max-bytes, --jobs-max-messages: the job stream's retention (with rpc --async). */
export function jobRetentionOptions(y: Y): Y {
  const g = groups.request;
  return y
    .option('jobs-max-age', { type: 'string', requiresArg: true, group: g, describe: 'With --async or --record: keep job replies this long (default 24h; config jobs.max_age; e.g. 90m, 7d)' })
    .option('jobs-max-bytes', { type: 'string', requiresArg: true, group: g, describe: 'With --async or --record: the job stream holds at most this much (default 256MiB; config jobs.max_bytes)' })
    .option('jobs-max-messages', { type: 'string', requiresArg: true, group: g, describe: 'With --async or --record: the job stream holds at most this many replies and job records (default 100000; config jobs.max_messages)' });
}

/** -T, --display, output and connection flags of the `cohort job` commands. */
export function jobReadOptions(y: Y, display = true): Y {
  const withTarget = y.option('target', { alias: 'T', type: 'string', requiresArg: true, group: groups.filters, describe: 'Collective of the job (default: cohort, or collective from the config)' });
  const withDisplay = display
    ? withTarget.option('display', {
        type: 'string',
        choices: ['ok', 'failed', 'all', 'always', 'none'],
        group: groups.output,
        describe: "Which replies to print (default: the action's DDL display policy)",
      })
    : withTarget;
  return connectionOptions(outputOptions(withDisplay));
}
