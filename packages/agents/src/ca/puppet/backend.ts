import { X509Certificate } from 'node:crypto';
import { chown, stat, writeFile } from 'node:fs/promises';
import { AgentError } from '../../errors.js';
import { readIfExists } from '../../lib/files.js';
import type { CaBackend } from '../backend.js';
import { certificateFingerprint, certificateKeyFingerprint, checkCommonName, inspectCsr } from '../csr.js';
import { opensslTool } from '../openssl/openssl.js';
import { runCommand, type CommandResult } from '../run-command.js';
import { certnameFiles, findPuppetCadir, puppetCaPaths, type PuppetCaPaths } from './cadir.js';
import { puppetCaFailure } from './diagnose.js';
import { parseList, type PuppetCaListing } from './list-output.js';

/** How the puppet backend is set up (from the `ca:` config section). */
export interface PuppetCaOptions {
  /** The puppetserver command. */
  readonly puppetserver: string;
  /** puppet.conf of the server (passed as --config), null for the default. */
  readonly config: string | null;
  /** The puppet command (finds the CA directory). */
  readonly puppet: string;
  /** The openssl command (reads CSRs). */
  readonly openssl: string;
}

/** One `puppetserver ca` command may take this long (it talks to the running server over HTTPS). */
const commandTimeoutMs = 90_000;

/**
 * Puppet's CA through `puppetserver ca list|sign|clean` (which need a running
 * puppetserver). Certificates are read from the CA directory (Puppet's
 * `cadir`); a CSR passed to `sign` is queued there as the node's request
 * when none is waiting, exactly where `puppet ssl submit_request` puts it.
 */
export function puppetBackend(options: PuppetCaOptions): CaBackend {
  let cadir: string | undefined;
  const paths = async (signal: AbortSignal): Promise<PuppetCaPaths> => puppetCaPaths((cadir ??= await findPuppetCadir(options.puppet, options.config, signal)));

  const ca = (signal: AbortSignal, action: readonly string[]): Promise<CommandResult> => {
    const args = ['ca', ...action, ...(options.config ? ['--config', options.config] : [])];
    return runCommand(options.puppetserver, args, { timeoutMs: commandTimeoutMs, signal, setting: 'ca.puppetserver_command' });
  };

  async function listing(signal: AbortSignal): Promise<PuppetCaListing> {
    let result = await ca(signal, ['list', '--all', '--format', 'json']);
    if (result.code !== 0 && /invalid option: --format/.test(result.stdout + result.stderr)) result = await ca(signal, ['list', '--all']);
    const parsed = result.code === 0 ? parseList(result.stdout) : undefined;
    if (parsed === undefined) throw puppetCaFailure('list', result);
    return parsed;
  }

  async function caCertificate(signal: AbortSignal): Promise<string> {
    const { caCert, dir } = await paths(signal);
    const pem = await readIfExists(caCert);
    if (pem === undefined) throw new AgentError(`Puppet's CA has no certificate at ${caCert} (cadir ${dir}); start puppetserver once so it creates its CA, or run puppetserver ca setup`, 1);
    return pem;
  }

  async function signedCertificate(file: string, certname: string): Promise<string> {
    const pem = await readIfExists(file);
    if (pem === undefined) throw new AgentError(`puppetserver reports ${certname} signed but ${file} does not exist; check ca.puppetserver_config points at the server's puppet.conf`, 1);
    return pem;
  }

  return {
    name: 'puppet',

    async info(signal) {
      const pem = await caCertificate(signal);
      return { ca: pem, fingerprint: certificateFingerprint(pem) };
    },

    async list(signal) {
      const { requested, signed } = await listing(signal);
      return { requests: requested, signed };
    },

    async sign(certname, csr, signal) {
      const openssl = opensslTool(options.openssl, signal);
      const given = csr !== undefined && csr.trim() !== '' ? await inspectCsr(openssl, csr) : undefined;
      if (given) checkCommonName(given, certname);
      const files = certnameFiles(await paths(signal), certname);
      const pemCa = await caCertificate(signal);
      const state = await listing(signal);

      if (state.signed.includes(certname)) {
        const pem = await signedCertificate(files.signed, certname);
        if (given && certificateKeyFingerprint(pem) !== given.keyFingerprint) {
          throw new AgentError(`${certname} already has a certificate on Puppet's CA for a different key; clean it first (ca clean certname=${certname}) to sign a new one`, 1);
        }
        return { certificate: pem, ca: pemCa, serial: new X509Certificate(pem).serialNumber.toUpperCase() };
      }
      if (state.revoked.includes(certname)) {
        throw new AgentError(`${certname}'s certificate on Puppet's CA is revoked; clean it (ca clean certname=${certname}) and sign a new request`, 1);
      }

      const waiting = await readIfExists(files.request);
      if (waiting === undefined) {
        if (!given || csr === undefined) {
          throw new AgentError(`no certificate request for ${certname} is waiting on Puppet's CA; have the node submit one (puppet ssl submit_request) or pass csr=<PEM>`, 1);
        }
        await queueRequest(files.request, csr);
      } else {
        const pending = await inspectCsr(openssl, waiting);
        checkCommonName(pending, certname);
        if (given && pending.keyFingerprint !== given.keyFingerprint) {
          throw new AgentError(`the request waiting for ${certname} on Puppet's CA is for a different key than csr; clean it first (ca clean certname=${certname})`, 1);
        }
      }

      const result = await ca(signal, ['sign', '--certname', certname]);
      if (result.code !== 0) throw puppetCaFailure('sign', result);
      const pem = await signedCertificate(files.signed, certname);
      return { certificate: pem, ca: pemCa, serial: new X509Certificate(pem).serialNumber.toUpperCase() };
    },

    async clean(certname, signal) {
      const state = await listing(signal);
      const known = [state.requested, state.signed, state.revoked].some((names) => names.includes(certname));
      if (!known) return false;
      const result = await ca(signal, ['clean', '--certname', certname]);
      // 24: a request was removed that had no certificate to revoke.
      if (result.code === 0 || result.code === 24) return true;
      if (/Could not find files to clean/i.test(result.stdout + result.stderr)) return false;
      throw puppetCaFailure('clean', result);
    },
  };
}

/** Put a CSR in the CA's requests directory, owned like the directory (puppetserver runs as its own user). */
async function queueRequest(file: string, csr: string): Promise<void> {
  const dir = file.slice(0, file.lastIndexOf('/'));
  const owner = await stat(dir).catch((err: unknown) => {
    throw new AgentError(`cannot queue the request: Puppet's CA requests directory ${dir} is not there (${(err as Error).message})`, 1);
  });
  await writeFile(file, csr.endsWith('\n') ? csr : `${csr}\n`, { mode: 0o644, flag: 'wx' });
  await chown(file, owner.uid, owner.gid).catch(() => undefined); // only root can; otherwise we are already the owner
}
