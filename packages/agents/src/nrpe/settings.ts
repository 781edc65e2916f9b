import type { NodeInfo } from '../node-info.js';
import type { NrpeSources } from './config-load.js';

/** The node's `nrpe.*` settings, as the agent uses them. */
export interface NrpeSettings extends NrpeSources {
  /** `nrpe.allow_arguments`: callers may fill `$ARGn$` even without dont_blame_nrpe=1. */
  allowArguments: boolean;
}

/** NRPE's own default `command_timeout`. */
export const defaultCommandTimeout = 60;

/** Seconds kept between the plugin's deadline and the action's, so the UNKNOWN reply beats the daemon's timeout. */
export const replyMargin = 1;

function setting(node: NodeInfo, key: string): unknown {
  const found = node.configItem(key);
  return found.found ? found.value : undefined;
}

function pathSetting(node: NodeInfo, key: string, fallback: string): string | null {
  const value = setting(node, key);
  if (value === null) return null;
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Read `nrpe.conf_file`, `nrpe.conf_dir` and `nrpe.allow_arguments` from the node's config. */
export function nrpeSettings(node: NodeInfo): NrpeSettings {
  return {
    confFile: pathSetting(node, 'nrpe.conf_file', '/etc/nagios/nrpe.cfg'),
    confDir: pathSetting(node, 'nrpe.conf_dir', '/etc/nagios/nrpe.d'),
    allowArguments: setting(node, 'nrpe.allow_arguments') === true,
  };
}

/**
 * Seconds one plugin may run: NRPE's `command_timeout` (default 60), but
 * never closer than {@link replyMargin} to the nrpe action's DDL timeout, so
 * the agent can still kill the plugin and answer UNKNOWN itself.
 */
export function pluginTimeout(node: NodeInfo, commandTimeout: number | undefined): number {
  const ddl = node.agents().find((a) => a.name === 'nrpe')?.metadata.timeout;
  const wanted = commandTimeout ?? defaultCommandTimeout;
  if (ddl === undefined) return wanted;
  return Math.max(0.1, Math.min(wanted, ddl - replyMargin));
}
