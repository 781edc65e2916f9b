import { serverConfigSpec } from '@cohort/core';
import type { NodeInfo } from '../node-info.js';
import type { GuardRails } from './guard.js';

/** The node's `puppetral:` settings, narrowed from its config. */
export interface PuppetralSettings extends GuardRails {
  /** The only files `target=` may name (puppetral.targets). */
  readonly targets: readonly string[];
  /** The puppet command: a name looked up on PATH or a path. */
  readonly puppet: string;
  /** Ruby that runs Puppet; null = found from the puppet command. */
  readonly ruby: string | null;
  /** Puppet settings handed to the helper as `--name=value`. */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

const spec = serverConfigSpec.puppetral;

function strings(value: unknown, fallback: readonly string[]): readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fallback;
}

function scalars(value: unknown): Readonly<Record<string, string | number | boolean>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

function item(node: Pick<NodeInfo, 'configItem'>, key: string): unknown {
  const found = node.configItem(`puppetral.${key}`);
  return found.found ? found.value : undefined;
}

/** Read the node's puppetral settings (the config spec's defaults where a value is missing). */
export function readSettings(node: Pick<NodeInfo, 'configItem'>): PuppetralSettings {
  const puppet = item(node, 'puppet');
  const ruby = item(node, 'ruby');
  return {
    manage: strings(item(node, 'manage'), spec.manage.default),
    readOnly: strings(item(node, 'read_only'), spec.read_only.default),
    targets: strings(item(node, 'targets'), spec.targets.default),
    puppet: typeof puppet === 'string' && puppet !== '' ? puppet : spec.puppet.default,
    ruby: typeof ruby === 'string' && ruby !== '' ? ruby : null,
    settings: scalars(item(node, 'settings')),
  };
}

/** Puppet settings as command-line arguments: `{ vardir: '/x' }` → `['--vardir=/x']`. */
export function settingsArgs(settings: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(settings).map(([name, value]) => `--${name}=${String(value)}`);
}
