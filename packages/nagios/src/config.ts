import { loadClientConfig, type ClientConfig } from '@cohort/client';
import type { CheckArgs } from './options.js';

/**
 * The client configuration as `cohort` builds it (defaults < `--config` or
 * COHORT_CONFIG < environment < flags), with the plugin's --nats and -T as
 * the flags.
 */
export function pluginConfig(args: CheckArgs, env: NodeJS.ProcessEnv, home: string): ClientConfig {
  const flags: Record<string, unknown> = {};
  if (args.nats.length > 0) flags['nats'] = { servers: args.nats };
  if (args.collective !== undefined) flags['collective'] = args.collective;
  return loadClientConfig({ file: args.config, env, home, flags });
}
