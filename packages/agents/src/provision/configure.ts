import { copyFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { ConfigError } from '@cohort/core';
import { loadServerConfig } from '../config.js';
import { AgentError } from '../errors.js';
import { readIfExists, tempPathFor } from '../lib/files.js';

/** Where configure keeps the config cohortd was provisioned with (and restart falls back to). */
export function bootstrapCopy(configFile: string): string {
  return `${configFile}.bootstrap`;
}

async function modeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).mode & 0o777;
  } catch {
    return 0o600;
  }
}

/**
 * Write the final cohortd configuration to `configFile`: validated first by
 * the daemon's own loader (a config that would not load is refused, status
 * 4, with the loader's message), then written atomically (temporary file +
 * rename, the old file's mode kept). The first time, the old file is kept as
 * `<file>.bootstrap`. Writing the same text again changes nothing.
 */
export async function writeFinalConfig(configFile: string | undefined, text: string): Promise<{ changed: boolean }> {
  if (configFile === undefined) {
    throw new AgentError('cohortd was started without a config file (--config or COHORTD_CONFIG), so there is nothing to write the final configuration to; start it with --config', 1);
  }
  if (text.trim() === '') throw new AgentError('config is empty; pass the final cohortd configuration as YAML or JSON text', 4);
  const current = await readIfExists(configFile);
  if (current === text) return { changed: false };
  const tmp = tempPathFor(configFile, 'new');
  try {
    await writeFile(tmp, text, { mode: await modeOf(configFile) });
    let loaded: ReturnType<typeof loadServerConfig>['config'];
    try {
      loaded = loadServerConfig({ file: tmp, env: {} }).config;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new AgentError(`the new configuration would not load: ${err.message.split(tmp).join('(new config)')}`, 4, { cause: err });
    }
    if (loaded.provisioning.enabled) {
      // The node would restart into provisioning mode again, and be provisioned again.
      throw new AgentError('the new configuration still has provisioning.enabled: true; a final configuration must not be a bootstrap one (remove provisioning.enabled or set it to false)', 4);
    }
    const bootstrap = bootstrapCopy(configFile);
    if (current !== undefined && (await readIfExists(bootstrap)) === undefined) await copyFile(configFile, bootstrap);
    await rename(tmp, configFile);
    return { changed: true };
  } finally {
    await rm(tmp, { force: true });
  }
}
