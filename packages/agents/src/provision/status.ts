import { access } from 'node:fs/promises';
import type { ProvisionStatusOutput } from '../generated/index.js';
import { installedFingerprint } from './certificate.js';
import type { LockStore } from './lock-store.js';
import { currentMaster } from './master.js';
import type { ProvisionSettings } from './settings.js';
import { sslFiles } from './ssl-files.js';

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The node's provisioning state, from the files on disk (nothing is cached, so it is right after a restart). */
export async function provisionStatus(settings: ProvisionSettings, locks: LockStore, certname: string): Promise<ProvisionStatusOutput> {
  const files = sslFiles(settings.sslDir, certname);
  const [lock, master, hasKey, hasCsr, hasCert, fingerprint] = await Promise.all([
    locks.current(),
    currentMaster(settings),
    exists(files.key),
    exists(files.csr),
    exists(files.cert),
    installedFingerprint(files),
  ]);
  return {
    provisioned: !settings.enabled,
    locked: lock !== undefined,
    lock_owner: lock?.owner ?? '',
    master: master.server,
    has_key: hasKey,
    has_csr: hasCsr,
    has_cert: hasCert,
    certname,
    cert_fingerprint: fingerprint,
    config_file: settings.configFile ?? '',
  };
}
