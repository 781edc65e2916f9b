import { serverConfigSpec } from '@cohort/core';
import type { NodeInfo } from '../node-info.js';

/** The node's `ca:` settings, narrowed from its config (the spec's defaults where a value is missing). */
export interface CaSettings {
  readonly enabled: boolean;
  readonly backend: 'openssl' | 'puppet';
  readonly dir: string;
  readonly init: boolean;
  readonly days: number;
  readonly opensslCommand: string;
  readonly puppetserverCommand: string;
  readonly puppetserverConfig: string | null;
}

const spec = serverConfigSpec.ca;

function item(node: Pick<NodeInfo, 'configItem'>, key: string): unknown {
  const found = node.configItem(`ca.${key}`);
  return found.found ? found.value : undefined;
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Read the node's `ca.*` settings. */
export function readCaSettings(node: Pick<NodeInfo, 'configItem'>): CaSettings {
  const backend = item(node, 'backend');
  const days = item(node, 'days');
  const enabled = item(node, 'enabled');
  const init = item(node, 'init');
  const config = item(node, 'puppetserver_config');
  return {
    enabled: typeof enabled === 'boolean' ? enabled : spec.enabled.default,
    backend: backend === 'puppet' || backend === 'openssl' ? backend : spec.backend.default,
    dir: text(item(node, 'dir'), spec.dir.default),
    init: typeof init === 'boolean' ? init : spec.init.default,
    days: typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : spec.days.default,
    opensslCommand: text(item(node, 'openssl_command'), spec.openssl_command.default),
    puppetserverCommand: text(item(node, 'puppetserver_command'), spec.puppetserver_command.default),
    puppetserverConfig: typeof config === 'string' && config !== '' ? config : null,
  };
}
