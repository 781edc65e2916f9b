import { join } from 'node:path';
import type { NodeInfo } from '../node-info.js';

/** The node's `provisioning.*` settings, as the provision agent uses them. */
export interface ProvisionSettings {
  /** provisioning.enabled: the node runs its bootstrap config. */
  readonly enabled: boolean;
  /** Requests reaching the agent were verified: the daemon runs in signed mode (security.mode). */
  readonly signed: boolean;
  /** provisioning.allow_unsigned: act on unsigned requests anyway (labs). */
  readonly allowUnsigned: boolean;
  /** provisioning.provisioners: the caller ids that may call the agent; empty = any trusted caller. */
  readonly provisioners: readonly string[];
  /** The secret every action must be called with; null when none is required. */
  readonly token: string | null;
  readonly sslDir: string;
  /** Where the lock and the agent's own state live (provisioning.state_dir, else ssl_dir). */
  readonly stateDir: string;
  readonly hostsFile: string;
  readonly puppetConf: string;
  readonly puppetCommand: string;
  readonly opensslCommand: string;
  readonly keyType: 'rsa' | 'ec';
  /** The config file cohortd started with; configure writes it. */
  readonly configFile: string | undefined;
}

function item(node: NodeInfo, key: string): unknown {
  const found = node.configItem(`provisioning.${key}`);
  return found.found ? found.value : undefined;
}

function text(node: NodeInfo, key: string, fallback: string): string {
  const value = item(node, key);
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Read the settings afresh (cheap; the config does not change while the daemon runs). */
export function provisionSettings(node: NodeInfo): ProvisionSettings {
  const sslDir = text(node, 'ssl_dir', '/var/lib/cohort/ssl');
  const stateDir = item(node, 'state_dir');
  const mode = node.configItem('security.mode');
  const provisioners = item(node, 'provisioners');
  return {
    enabled: item(node, 'enabled') === true,
    // The daemon's default is signed; a node without the setting is not unsigned.
    signed: !mode.found || mode.value !== 'unsigned',
    allowUnsigned: item(node, 'allow_unsigned') === true,
    provisioners: Array.isArray(provisioners) ? provisioners.filter((p): p is string => typeof p === 'string') : [],
    token: node.provisioningToken?.() ?? null,
    sslDir,
    stateDir: typeof stateDir === 'string' && stateDir !== '' ? stateDir : sslDir,
    hostsFile: text(node, 'hosts_file', '/etc/hosts'),
    puppetConf: text(node, 'puppet_conf', '/etc/puppet/puppet.conf'),
    puppetCommand: text(node, 'puppet_command', 'puppet'),
    opensslCommand: text(node, 'openssl_command', 'openssl'),
    keyType: item(node, 'key_type') === 'ec' ? 'ec' : 'rsa',
    configFile: node.configFile,
  };
}

/** Files of the agent's state directory. */
export function stateFiles(settings: ProvisionSettings): { lock: string; state: string } {
  return { lock: join(settings.stateDir, 'provision-lock.json'), state: join(settings.stateDir, 'provision-state.json') };
}
