import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors.js';
import { readIfExists, writeAtomic } from '../../lib/files.js';
import type { CaBackend, SignedCertificate } from '../backend.js';
import { certificateFingerprint, checkCommonName, inspectCsr } from '../csr.js';
import { caPaths, ensureCa, type CaInit, type CaPaths } from './ca-dir.js';
import { readIndex, withIssued, withRevoked, writeIndex, type CaIndex } from './index-file.js';
import { issueCertificate } from './issue.js';
import { opensslTool } from './openssl.js';

/** How the openssl backend is set up (from the `ca:` config section). */
export interface OpensslCaOptions {
  /** The openssl command. */
  readonly command: string;
  /** CA directory. */
  readonly dir: string;
  /** Create the CA on first use when missing. */
  readonly init: boolean;
  /** Lifetime of issued certificates in days (the CA's own: ten times that). */
  readonly days: number;
  /** Node identity, named in a new CA's subject. */
  readonly identity: string;
  /** Clock (tests). */
  readonly now?: () => Date;
}

/**
 * The built-in CA: a directory with the CA key (0600) and certificate, the
 * issued certificates and a JSON index of them by certname and public-key
 * fingerprint, all driven by the openssl command. Requests are not queued:
 * `sign` takes the CSR, so `list` shows no requests.
 */
export function opensslBackend(options: OpensslCaOptions): CaBackend {
  const paths = caPaths(options.dir);
  const now = options.now ?? (() => new Date());
  const init: CaInit = { init: options.init, identity: options.identity, days: options.days * 10 };
  const ready = (signal: AbortSignal) => {
    const openssl = opensslTool(options.command, signal);
    return ensureCa(openssl, paths, init).then((ca) => ({ openssl, ca }));
  };

  return {
    name: 'openssl',

    async info(signal) {
      const { ca } = await ready(signal);
      return { ca, fingerprint: certificateFingerprint(ca) };
    },

    async list() {
      const index = await readIndex(paths.index);
      return { requests: [], signed: Object.keys(index.issued).sort() };
    },

    async sign(certname, csr, signal) {
      if (csr === undefined || csr.trim() === '') {
        throw new AgentError(`the openssl CA needs the request to sign: pass csr=<PEM> (the provision agent's gencsr output) for ${certname}`, 3);
      }
      const { openssl, ca } = await ready(signal);
      const facts = await inspectCsr(openssl, csr);
      checkCommonName(facts, certname);
      let index = await readIndex(paths.index);
      const existing = index.issued[certname];
      if (existing !== undefined) {
        // A name is never issued to a different key while the index holds it, even
        // expired or with its file lost: only an explicit clean frees the name.
        if (existing.key !== facts.keyFingerprint) {
          throw new AgentError(
            `${certname} already has a certificate (serial ${existing.serial}) for a different key; clean it first (ca clean certname=${certname}) to issue a new one`,
            1,
          );
        }
        const pem = await readIfExists(issuedFile(paths, certname));
        if (pem !== undefined && new Date(existing.not_after) > now()) return { certificate: pem, ca, serial: existing.serial };
        index = await revoke(paths, index, certname, now()); // the same key, expired or lost: renew it
      }
      const issued = await issueCertificate(openssl, paths, csr, certname, options.days);
      await mkdir(paths.issued, { recursive: true, mode: 0o755 });
      await writeAtomic(issuedFile(paths, certname), issued.pem, 0o644);
      const entry = { serial: issued.serial, key: facts.keyFingerprint, fingerprint: certificateFingerprint(issued.pem), issued_at: now().toISOString(), not_after: issued.notAfter.toISOString() };
      await writeIndex(paths.index, withIssued(index, certname, entry));
      return { certificate: issued.pem, ca, serial: issued.serial } satisfies SignedCertificate;
    },

    async clean(certname) {
      const index = await readIndex(paths.index);
      const file = issuedFile(paths, certname);
      if (index.issued[certname] === undefined) {
        // A certificate file the index does not know (an interrupted sign): remove it too.
        const stray = (await readIfExists(file)) !== undefined;
        if (stray) await rm(file, { force: true });
        return stray;
      }
      await revoke(paths, index, certname, now());
      return true;
    },
  };
}

function issuedFile(paths: CaPaths, certname: string): string {
  return join(paths.issued, `${certname}.pem`);
}

/** Move `certname`'s certificate to revoked/<serial>.pem and record it; returns the new index (already written). */
async function revoke(paths: CaPaths, index: CaIndex, certname: string, at: Date): Promise<CaIndex> {
  const entry = index.issued[certname];
  if (entry === undefined) return index;
  const file = issuedFile(paths, certname);
  await mkdir(paths.revoked, { recursive: true, mode: 0o755 });
  try {
    await rename(file, join(paths.revoked, `${entry.serial}.pem`));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const next = withRevoked(index, certname, at);
  await writeIndex(paths.index, next);
  return next;
}

