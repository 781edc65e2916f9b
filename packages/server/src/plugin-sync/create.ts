import { dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { NodeInfo } from '@cohort/agents';
import type { NodeView } from '@cohort/core';
import type { ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import type { Bus } from '../bus.js';
import type { NodeSecurity } from '../node-security.js';
import type { AgentRegistry } from '../registry.js';
import { PluginSync } from './sync.js';

/** Where pushed plugins are installed: plugin_sync_dir, else plugins.d beside the config file (a temp dir without one). */
export function pluginSyncDir(config: ServerConfig, configFile: string | undefined): string {
  if (config.plugin_sync_dir) return config.plugin_sync_dir;
  if (configFile) return join(dirname(resolve(configFile)), 'plugins.d');
  return join(tmpdir(), `cohortd-${config.identity}-plugins.d`);
}

/** The daemon's plugin sync, or undefined when plugin_sync is off or the bus cannot carry it (logged). Not started yet. */
export function createPluginSync(o: {
  config: ServerConfig;
  configFile: string | undefined;
  bus: Bus;
  security: NodeSecurity;
  registry: AgentRegistry;
  node: NodeInfo;
  view: () => NodeView;
  log: Logger;
  onChange: () => void;
}): PluginSync | undefined {
  const { config, bus, log } = o;
  if (!config.plugin_sync) return undefined;
  if (bus.plugins === undefined) {
    log.warn('plugins: plugin_sync is on but the bus has no JetStream; no plugins will be installed');
    return undefined;
  }
  if (config.security.mode !== 'signed') log.warn('plugins: plugin_sync in unsigned mode: manifests are still verified, so only plugins signed by a key in security.trusted_keys_dir or security.issuers install');
  return new PluginSync({
    identity: config.identity,
    collective: config.collectives[0] as string,
    dir: pluginSyncDir(config, o.configFile),
    filter: config.plugin_sync_filter,
    bus: bus.plugins,
    trust: o.security.trust,
    policies: o.security.policies,
    audit: o.security.audit,
    view: o.view,
    registry: o.registry,
    node: o.node,
    log,
    onChange: o.onChange,
  });
}
