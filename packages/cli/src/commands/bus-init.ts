import type { Argv } from 'yargs';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { connectionOptions, groups, outputOptions } from '../options.js';
import { jobRetentionOptions } from './job-options.js';

export const command = 'init';
export const describe = 'Create every stream and bucket of a collective: registry, jobs, checks, mine, key-value store, plugins, web console jobs (run once, as a NATS user allowed to create streams)';

export function builder(y: Argv<object>): Argv<object> {
  return jobRetentionOptions(connectionOptions(outputOptions(y)))
    .option('target', { alias: 'T', type: 'string', requiresArg: true, group: groups.filters, describe: 'Collective (default: cohort, or collective from the config)' })
    .option('registry-ttl', { type: 'number', requiresArg: true, describe: 'Seconds a registry record lives without a refresh: the bucket max age (default 180, the nodes\' registration.ttl)' })
    .epilog(
      'With least-privilege NATS permissions (examples/secure) neither nodes nor operators may create, change, purge or delete streams, ' +
        'so an administrator creates them once. Existing ones are kept (the job stream gets the retention given here); each is reported as created or kept ' +
        '(--json: {registry, jobs, checks, items: [{kind, name, what, status}]}). The key-value bucket is made with the config\'s kv: bucket, history and replicas.',
    )
    .example('$0 bus init --config /etc/cohort/admin.yaml', 'Create cohort_registry_cohort, cohort_jobs_cohort, cohort_mine_cohort, cohort_plugins_cohort... where missing');
}

export async function handler(argv: Args, io: CliIo): Promise<Outcome> {
  const { runBusInit } = await import('../run/bus-init.js');
  return runBusInit(argv, io);
}
