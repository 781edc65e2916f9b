import type { NodeInfo } from '../node-info.js';
import type { GuardRails } from './guard.js';

/** The node's `puppetral:` settings, as the agent uses them. */
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

/** Read the node's `puppetral:` section (typed and defaulted by its spec, `puppetral/config.ts`, beside the agent) in the agent's terms. */
export function readSettings(node: Pick<NodeInfo, 'section'>): PuppetralSettings {
  const section = node.section('puppetral');
  return {
    manage: section.manage,
    readOnly: section.read_only,
    targets: section.targets,
    puppet: section.puppet,
    ruby: section.ruby,
    settings: section.settings,
  };
}

/** Puppet settings as command-line arguments: `{ vardir: '/x' }` → `['--vardir=/x']`. */
export function settingsArgs(settings: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(settings).map(([name, value]) => `--${name}=${String(value)}`);
}
