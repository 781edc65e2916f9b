import { AgentError } from '../errors.js';
import { readIfExists, writeAtomic } from '../lib/files.js';
import { setHostsEntry } from './hosts-file.js';
import { mainSetting, setPuppetServer } from './puppet-conf.js';
import type { ProvisionSettings } from './settings.js';

/** The master puppet.conf names (`server` in [main]), "" when none. */
export async function currentMaster(settings: ProvisionSettings): Promise<{ server: string; masterport: string | undefined }> {
  const text = (await readIfExists(settings.puppetConf)) ?? '';
  return { server: mainSetting(text, 'server') ?? '', masterport: mainSetting(text, 'masterport') };
}

async function edit(file: string, what: string, change: (text: string) => { text: string; changed: boolean }): Promise<boolean> {
  let result: { text: string; changed: boolean };
  try {
    result = change((await readIfExists(file)) ?? '');
    if (result.changed) await writeAtomic(file, result.text, 0o644);
  } catch (err) {
    throw new AgentError(`cannot update ${what} ${file}: ${(err as Error).message}; check provisioning.${what === 'hosts file' ? 'hosts_file' : 'puppet_conf'} and the daemon's permissions`, 1, { cause: err });
  }
  return result.changed;
}

/**
 * Point the node at its master: the marked hosts line `<ip> <host> puppet`
 * when an IP is given, and `server` (with `masterport` unless 8140) in
 * puppet.conf's [main]. Files are only rewritten when they change.
 */
export async function setMaster(settings: ProvisionSettings, host: string, ip: string | undefined, port: number): Promise<{ hosts_changed: boolean; puppet_conf_changed: boolean }> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AgentError(`port must be from 1 to 65535 (got ${port})`, 4);
  const hostsChanged = ip ? await edit(settings.hostsFile, 'hosts file', (text) => setHostsEntry(text, ip, host)) : false;
  const confChanged = await edit(settings.puppetConf, 'puppet.conf', (text) => setPuppetServer(text, host, port));
  return { hosts_changed: hostsChanged, puppet_conf_changed: confChanged };
}
