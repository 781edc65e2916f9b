import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { CertificateDocument } from '../protocol/types.js';
import { certificateBody, certificateProblem } from './certificate.js';
import { readCertificate } from './certificate.js';
import { createSigner, type Signer } from './envelope.js';
import { SecurityError } from './errors.js';
import { certificateFileFor, keyId, publicKeyHex, readPrivateKey } from './keys.js';
import { subjectForKeyFile, type TrustKind } from './trust.js';

/** Which key to sign with, and who it speaks for. */
export interface SignerSource {
  kind: TrustKind;
  /** Private key file (`NAME.key`). */
  keyFile: string;
  /** Certificate file; default `NAME.cert` beside the key when that exists. */
  certificateFile?: string | null | undefined;
  /**
   * Who the key speaks for when there is no certificate; default from the
   * key file name (callers: `alice.key` → `user=alice`). With a certificate
   * the certificate's subject is used and must equal this when given.
   */
  subject?: string | undefined;
  now?: number;
}

/**
 * Load a private key (and its certificate, if any) as a Signer. Throws
 * SecurityError when the key is unreadable, the certificate is for another
 * key, kind or subject, or it has expired.
 */
export function loadSigner(source: SignerSource): Signer {
  const key = readPrivateKey(source.keyFile);
  const publicKey = publicKeyHex(key);
  const certFile = source.certificateFile ?? (existsSync(certificateFileFor(source.keyFile)) ? certificateFileFor(source.keyFile) : undefined);
  let certificate: CertificateDocument | undefined;
  let subject = source.subject ?? subjectForKeyFile(source.kind, basename(source.keyFile).replace(/\.key$/, ''));
  if (certFile) {
    certificate = readCertificate(certFile);
    const body = certificateBody(certificate);
    if (typeof body === 'string') throw new SecurityError(`certificate ${certFile}: ${body}`);
    if (body.public_key !== publicKey) throw new SecurityError(`certificate ${certFile} certifies key ${keyId(body.public_key)}, not ${source.keyFile} (${keyId(publicKey)}); sign this key's .pub file again`);
    const problem = certificateProblem(body, source.kind, source.now ?? Date.now());
    if (problem) throw new SecurityError(`certificate ${certFile}: ${problem}`);
    if (source.subject !== undefined && source.subject !== body.subject) {
      throw new SecurityError(`certificate ${certFile} is for '${body.subject}', but '${source.subject}' was asked for; the caller id is bound to the key`);
    }
    subject = body.subject;
  }
  return createSigner(key, subject, certificate);
}
