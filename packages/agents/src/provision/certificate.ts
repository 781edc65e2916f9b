import { X509Certificate } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AgentError } from '../errors.js';
import { readIfExists, tempPathFor, writeIfChanged } from '../lib/files.js';
import { publicKeyOf } from './keys.js';
import type { OpensslRunner } from './openssl.js';
import type { SslFiles } from './ssl-files.js';

/** SHA-256 fingerprint of a PEM certificate (`AB:CD:...`, as `openssl x509 -fingerprint -sha256` prints it). */
export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** The installed certificate's fingerprint, "" when none is installed (or it is unreadable). */
export async function installedFingerprint(files: SslFiles): Promise<string> {
  const pem = await readIfExists(files.cert);
  if (pem === undefined) return '';
  try {
    return fingerprintOf(pem);
  } catch {
    return '';
  }
}

function parsePem(pem: string, what: string): void {
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw new AgentError(`${what} is not a PEM X.509 certificate: ${(err as Error).message}`, 4, { cause: err });
  }
}

/**
 * Check a signed certificate against the node's private key and the CA, then
 * install both (certs/<certname>.pem, certs/ca.pem). Refuses (status 1) a
 * certificate whose public key is not the node's, or that `openssl verify`
 * does not accept against `ca` (wrong CA, expired, not yet valid).
 */
export async function installCertificate(
  openssl: OpensslRunner,
  files: SslFiles,
  certname: string,
  certificate: string,
  ca: string,
): Promise<{ changed: boolean; fingerprint: string }> {
  parsePem(certificate, 'certificate');
  parsePem(ca, 'ca');
  if ((await readIfExists(files.key)) === undefined) {
    throw new AgentError(`this node has no private key for '${certname}' yet; call gencsr first and have its CSR signed`, 1);
  }
  await mkdir(dirname(files.cert), { recursive: true });
  const certTmp = tempPathFor(files.cert, 'check');
  const caTmp = tempPathFor(files.ca, 'check');
  try {
    await writeFile(certTmp, certificate);
    await writeFile(caTmp, ca);
    const [certKey, nodeKey] = await Promise.all([openssl(['x509', '-in', certTmp, '-noout', '-pubkey']), publicKeyOf(openssl, files)]);
    if (certKey.trim() !== nodeKey.trim()) {
      throw new AgentError(`the certificate does not match this node's private key for '${certname}'; sign the CSR gencsr returned, not another one`, 1);
    }
    try {
      await openssl(['verify', '-CAfile', caTmp, certTmp]);
    } catch (err) {
      throw new AgentError(`the certificate does not verify against the given CA: ${(err as Error).message.replace(/^openssl verify failed: /, '')}`, 1, { cause: err });
    }
  } finally {
    await Promise.all([rm(certTmp, { force: true }), rm(caTmp, { force: true })]);
  }
  const caChanged = await writeIfChanged(files.ca, ca);
  const certChanged = await writeIfChanged(files.cert, certificate);
  return { changed: caChanged || certChanged, fingerprint: fingerprintOf(certificate) };
}
