import type { Argv } from 'yargs';
import { groups } from '../options.js';
import { securityOptions } from '../options-security.js';

/**
 * Flags of the provisioner commands. `--config` is the pipeline file here;
 * the client config (NATS, keys) comes from --client-config or COHORT_CONFIG.
 */
export function provisionerConnectionOptions(y: Argv<object>): Argv<object> {
  const g = groups.connection;
  return securityOptions(
    y
      .option('nats', { type: 'string', requiresArg: true, group: g, describe: 'NATS server URL(s), repeatable or comma-separated (env COHORT_NATS; default nats://127.0.0.1:4222)' })
      .option('connect-timeout', { type: 'string', requiresArg: true, group: g, describe: 'Seconds to wait for the NATS connection (default 2)' })
      .option('client-config', { type: 'string', requiresArg: true, group: g, describe: 'Client config YAML: NATS, key, DDL dirs (env COHORT_CONFIG; default ~/.config/cohort/client.yaml if present)' })
      .option('ddl-dir', { type: 'string', requiresArg: true, group: g, describe: 'Extra directory with agent DDLs, repeatable' }),
  );
}

/** --config (the pipeline file) and --bucket, for status and retry. */
export function stateOptions(y: Argv<object>): Argv<object> {
  return y
    .option('config', { type: 'string', requiresArg: true, describe: 'Pipeline file: its state.bucket is read (default bucket cohort_provisioner)' })
    .option('bucket', { type: 'string', requiresArg: true, describe: 'State bucket (overrides the pipeline file\'s state.bucket)' });
}
