import type { KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import { validateCertificate, validateCertificateBody } from '../generated/validators.js';
import { describeSchemaErrors } from '../protocol/codec.js';
import type { CertificateBody, CertificateDocument } from '../protocol/types.js';
import { SecurityError } from './errors.js';
import { publicKeyHex } from './keys.js';
import { signText, verifyText } from './signing.js';

/** The tag of a certificate document. */
export const certificateTag = 'cohort:certificate:1';

/** What to certify. */
export interface CertificateRequest {
  kind: 'caller' | 'node';
  /** Caller id (`user=alice`) or node identity (`web1`). */
  subject: string;
  /** The key being certified, 64 hex characters. */
  publicKey: string;
  /** Unix ms; null or absent: never expires. */
  expiresAt?: number | null;
  /** Unix ms; default now. */
  issuedAt?: number;
}

const calleridPattern = /^\w+=[\w.\-@]+$/;
const identityPattern = /^[A-Za-z0-9_\-:.@]+$/;

/** Check a subject fits its kind; returns a reason or undefined. */
export function subjectProblem(kind: 'caller' | 'node', subject: string): string | undefined {
  if (kind === 'caller' && !calleridPattern.test(subject)) return `caller id '${subject}' must look like kind=value, e.g. user=alice`;
  if (kind === 'node' && !identityPattern.test(subject)) return `node identity '${subject}' may use only letters, digits and _ - : . @`;
  return undefined;
}

/** Sign a certificate with the issuer's private key. */
export function issueCertificate(issuer: KeyObject, request: CertificateRequest): CertificateDocument {
  const problem = subjectProblem(request.kind, request.subject);
  if (problem) throw new SecurityError(problem);
  const body: CertificateBody = {
    kind: request.kind,
    subject: request.subject,
    public_key: request.publicKey,
    issuer: publicKeyHex(issuer),
    issued_at: request.issuedAt ?? Date.now(),
    expires_at: request.expiresAt ?? null,
  };
  if (!validateCertificateBody(body)) throw new SecurityError(`cannot certify: ${describeSchemaErrors(validateCertificateBody.errors)}`);
  const certificate = JSON.stringify(body);
  return { protocol: certificateTag, certificate, signature: signText(issuer, certificate) };
}

/** Parse and schema-check a certificate document; throws SecurityError naming `source`. */
export function parseCertificateDocument(text: string, source: string): CertificateDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SecurityError(`${source} is not a certificate (not JSON: ${errorMessage(err)})`, { cause: err });
  }
  if (!validateCertificate(value)) throw new SecurityError(`${source} is not a ${certificateTag} document: ${describeSchemaErrors(validateCertificate.errors)}`);
  return value as CertificateDocument;
}

/** Read a certificate file (`NAME.cert`). */
export function readCertificate(file: string): CertificateDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SecurityError(`cannot read certificate ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return parseCertificateDocument(text, `certificate ${file}`);
}

/** Write a certificate document as pretty JSON. */
export function writeCertificate(file: string, doc: CertificateDocument): void {
  try {
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o644 });
  } catch (err) {
    throw new SecurityError(`cannot write certificate ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The parsed, schema-checked body of a certificate (signature NOT checked), or a reason. */
export function certificateBody(doc: CertificateDocument): CertificateBody | string {
  let body: unknown;
  try {
    body = JSON.parse(doc.certificate);
  } catch {
    return 'the certificate text is not JSON';
  }
  if (!validateCertificateBody(body)) return `the certificate is malformed: ${describeSchemaErrors(validateCertificateBody.errors)}`;
  return body as CertificateBody;
}

/**
 * The body of a certificate whose signature verifies against its own issuer
 * field, or a reason it does not. Does NOT check that the issuer is trusted
 * or that the certificate is current: see {@link certificateProblem}.
 */
export function openCertificate(doc: CertificateDocument): CertificateBody | string {
  const body = certificateBody(doc);
  if (typeof body === 'string') return body;
  return verifyText(body.issuer, doc.certificate, doc.signature) ? body : 'the certificate signature does not verify';
}

/** Why a verified certificate body is not usable now for `kind`, or undefined when it is. */
export function certificateProblem(body: CertificateBody, kind: 'caller' | 'node', now: number): string | undefined {
  if (body.kind !== kind) return `the certificate is for a ${body.kind}, not a ${kind}`;
  if (body.expires_at !== null && now > body.expires_at) return `the certificate for ${body.subject} expired at ${new Date(body.expires_at).toISOString()}`;
  // A little slack for clock skew between the issuer and this machine.
  if (body.issued_at > now + 300_000) return `the certificate for ${body.subject} is issued in the future (${new Date(body.issued_at).toISOString()})`;
  return undefined;
}
