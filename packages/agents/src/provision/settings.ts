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

/**
 * The node's `provisioning:` section (typed and defaulted by its spec,
 * `provision/config.ts`, beside the agent) in the agent's terms, read
 * afresh on every action (cheap; the config does not change while the daemon runs).
 */
export function provisionSettings(node: Pick<NodeInfo, 'section' | 'configItem' | 'configFile'>): ProvisionSettings {
  const section = node.section('provisioning');
  const mode = node.configItem('security.mode');
  return {
    enabled: section.enabled,
    // The daemon's default is signed; a node without the setting is not unsigned.
    signed: !mode.found || mode.value !== 'unsigned',
    allowUnsigned: section.allow_unsigned,
    provisioners: section.provisioners,
    token: section.token,
    sslDir: section.ssl_dir,
    stateDir: section.state_dir ?? section.ssl_dir,
    hostsFile: section.hosts_file,
    puppetConf: section.puppet_conf,
    puppetCommand: section.puppet_command,
    opensslCommand: section.openssl_command,
    keyType: section.key_type,
    configFile: node.configFile,
  };
}

/** Files of the agent's state directory. */
export function stateFiles(settings: ProvisionSettings): { lock: string; state: string } {
  return { lock: join(settings.stateDir, 'provision-lock.json'), state: join(settings.stateDir, 'provision-state.json') };
}
