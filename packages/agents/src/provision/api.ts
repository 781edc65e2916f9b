/**
 * The provision agent and its building blocks (lock store, hosts and
 * puppet.conf editing, key/CSR/certificate handling, Puppet runs, config
 * writing), exported for tests and tools.
 */
export { provision, createProvisionAgent } from './index.js';
export { provisionSettings, stateFiles, type ProvisionSettings } from './settings.js';
export { checkToken } from './token.js';
export { checkCaller, checkCertname } from './caller.js';
export { LockStore, type ProvisionLock } from './lock-store.js';
export { setHostsEntry, hostsMarker } from './hosts-file.js';
export { setPuppetServer, mainSetting, defaultMasterPort } from './puppet-conf.js';
export { opensslRunner, type OpensslRunner } from './openssl.js';
export { sslFiles, type SslFiles } from './ssl-files.js';
export { ensureKey } from './keys.js';
export { generateCsr, subjectString, type SubjectFields } from './csr.js';
export { installCertificate, fingerprintOf } from './certificate.js';
export { runPuppet, puppetArgv, resourceCount, summarize, type PuppetRunOptions, type PuppetRunResult } from './puppet-run.js';
export { writeFinalConfig, bootstrapCopy } from './configure.js';
export { writeAtomic, writeIfChanged } from '../lib/files.js';
