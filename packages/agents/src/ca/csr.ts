import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { AgentError } from '../errors.js';
import type { Openssl } from './openssl/openssl.js';

/** What the CA needs to know about a certificate signing request. */
export interface CsrFacts {
  /** The subject's common name. */
  readonly cn: string;
  /** SHA-256 of the request's public key (DER SubjectPublicKeyInfo), hex. */
  readonly keyFingerprint: string;
}

/** SHA-256 (hex) of a PEM public key's DER SubjectPublicKeyInfo: the identity of a key pair. */
export function publicKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** The public-key fingerprint ({@link publicKeyFingerprint}) of a PEM certificate. */
export function certificateKeyFingerprint(certificatePem: string): string {
  const der = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** SHA-256 fingerprint of a PEM certificate, `AB:CD:...` (as `openssl x509 -fingerprint -sha256` and `puppetserver ca list` print it). */
export function certificateFingerprint(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256;
}

/** Split an RFC 2253 name (`CN=a,O=b\, c`) into its attribute=value parts, honouring backslash escapes. */
export function rfc2253Parts(name: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    if (c === '\\' && i + 1 < name.length) {
      current += c + (name[i + 1] as string);
      i++;
    } else if (c === ',' || c === '+') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * The common name in the `subject=...` line `openssl req -subject -nameopt
 * RFC2253` prints; throws AgentError (status 4) unless there is exactly one.
 */
export function commonNameOf(subjectLine: string): string {
  const name = subjectLine.replace(/^subject\s*=\s*/, '').trim();
  const cns = rfc2253Parts(name).filter((p) => p.startsWith('CN=')).map((p) => p.slice(3));
  if (cns.length !== 1) {
    throw new AgentError(`the CSR's subject '${name}' must have exactly one CN (it has ${cns.length}); make the request with -subj /CN=<certname>`, 4);
  }
  return cns[0] as string;
}

/**
 * Check a PEM CSR's self-signature and read its CN and public key with
 * `openssl req`. A request that does not parse or verify fails with status 4
 * and openssl's reason.
 */
export async function inspectCsr(openssl: Openssl, pem: string): Promise<CsrFacts> {
  if (!pem.includes('-----BEGIN CERTIFICATE REQUEST-----') && !pem.includes('-----BEGIN NEW CERTIFICATE REQUEST-----')) {
    throw new AgentError('csr is not a PEM certificate signing request (no -----BEGIN CERTIFICATE REQUEST----- line)', 4);
  }
  let out: string;
  try {
    out = await openssl(['req', '-noout', '-verify', '-subject', '-nameopt', 'RFC2253', '-pubkey'], { input: pem });
  } catch (err) {
    throw new AgentError(`csr is not a valid certificate signing request: ${(err as Error).message}`, 4, { cause: err });
  }
  const subject = out.split('\n').find((l) => l.startsWith('subject='));
  const key = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(out)?.[0];
  if (subject === undefined || key === undefined) throw new AgentError('openssl req printed no subject or public key for the csr', 4);
  return { cn: commonNameOf(subject), keyFingerprint: publicKeyFingerprint(key) };
}

/** Refuse (status 1) a request whose CN is not the certname being signed. */
export function checkCommonName(facts: CsrFacts, certname: string): void {
  if (facts.cn !== certname) {
    throw new AgentError(`the CSR's CN '${facts.cn}' does not match certname '${certname}'; make the request for CN=${certname} or sign it as certname=${facts.cn}`, 1);
  }
}
