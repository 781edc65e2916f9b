import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { bootstrapCopy } from '@cohort/agents';
import { errorMessage, type ServerConfigSources } from '@cohort/core';
import { loadServerConfig, type LoadedServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import { probeNats } from '../bus/probe.js';

/** A restart asked for by an agent (provision restart). */
export interface RestartRequest {
  readonly restart: true;
  readonly reason: string;
}

/** A one-shot restart trigger: `request` resolves `requested` (later calls are ignored). */
export function restartTrigger(): { requested: Promise<RestartRequest>; request: (reason: string) => void } {
  let request: (reason: string) => void = () => undefined;
  const requested = new Promise<RestartRequest>((resolve) => {
    request = (reason) => resolve({ restart: true, reason });
  });
  return { requested, request };
}

/** True for a RestartRequest (as opposed to a signal name or an Error). */
export function isRestart(value: unknown): value is RestartRequest {
  return typeof value === 'object' && value !== null && (value as { restart?: unknown }).restart === true;
}

/**
 * The configuration to fall back to when the new one cannot be used: the
 * bootstrap copy configure kept (`<file>.bootstrap`), restored over the config
 * file (the refused one is kept as `<file>.failed`) so a later start of the
 * daemon comes back in provisioning mode too; without a bootstrap copy (or if
 * it does not load either), the configuration the daemon ran before.
 */
export function fallbackConfig(sources: ServerConfigSources, previous: LoadedServerConfig, log: Logger): LoadedServerConfig {
  const file = previous.file;
  const bootstrap = file === undefined ? undefined : bootstrapCopy(file);
  if (file !== undefined && bootstrap !== undefined && existsSync(bootstrap)) {
    try {
      if (existsSync(file)) renameSync(file, `${file}.failed`);
      copyFileSync(bootstrap, file);
      const loaded = loadServerConfig({ ...sources, file });
      log.warn(`restored the bootstrap configuration ${bootstrap} to ${file} (the refused one is kept as ${file}.failed); running in it again`);
      return loaded;
    } catch (err) {
      log.error(`cannot fall back to the bootstrap configuration ${bootstrap}: ${errorMessage(err)}`);
    }
  }
  log.warn('carrying on with the configuration the daemon ran before the restart');
  return previous;
}

/**
 * The configuration to restart into: the config file re-read with the same
 * environment and flags, provided it loads and reaches NATS within the old
 * config's provisioning.restart_timeout; otherwise (logged as an error) the
 * fallback, so the node is never left without a working configuration.
 */
export async function configForRestart(sources: ServerConfigSources, previous: LoadedServerConfig, log: Logger): Promise<{ loaded: LoadedServerConfig; fellBack: boolean }> {
  const file = previous.file;
  let next: LoadedServerConfig;
  try {
    next = loadServerConfig({ ...sources, file });
  } catch (err) {
    log.error(`restart: the configuration does not load (${errorMessage(err)}); falling back`);
    return { loaded: fallbackConfig(sources, previous, log), fellBack: true };
  }
  const timeout = previous.config.provisioning.restart_timeout;
  const problem = await probeNats(next.config, timeout * 1000);
  if (problem !== undefined) {
    log.error(`restart: the new configuration ${file ?? ''} cannot reach NATS (${problem}); falling back`);
    return { loaded: fallbackConfig(sources, previous, log), fellBack: true };
  }
  log.info(`restart: the configuration ${file ?? ''} loaded and reached NATS; starting again`);
  return { loaded: next, fellBack: false };
}
