import type { Argv } from 'yargs';
import { connectionOptions, outputOptions } from '../options.js';

/** What every `cohort kv` subcommand takes: connection, output, -T and --bucket. */
export function kvOptions(y: Argv<object>): Argv<object> {
  return connectionOptions(outputOptions(y))
    .option('target', { alias: 'T', type: 'string', requiresArg: true, describe: 'Collective (default: cohort, or collective from the config); names the default bucket' })
    .option('bucket', { alias: 'b', type: 'string', requiresArg: true, describe: 'Bucket (default: kv.bucket from the client config, else cohort_kv_<collective>)' });
}
