import { ProtocolError } from '../errors.js';
import { validateCertificate } from '../generated/validators.js';
import type { CertificateDocument } from '../protocol/types.js';
import type { Signer } from './envelope.js';
import type { TrustedSigner, TrustStore } from './trust.js';

/**
 * Signed data on the bus: the rule for anything a node or client publishes
 * for others to act on (registry records, lifecycle events, job records,
 * node data in key-value buckets, check states...). The author seals a JSON
 * value with its Signer; every reader opens it (shape and size checked) and
 * verifies it against its TrustStore before using it. The signature covers
 * the exact JSON text of a {@link SignedDataBody}, carried as a string, so
 * nothing is canonicalised and no field can change unnoticed. The body binds:
 *
 * - `kind`: what the value is (`registration`, `lifecycle`, `mine`...), so a
 *   signature for one kind of record cannot be replayed as another;
 * - `subject`: who the value speaks for (a node identity, a caller id): it
 *   must be the subject the signing key is bound to, and the reader checks it
 *   against the identity the data claims (the key it was stored under, the
 *   subject it arrived on);
 * - `time`: when it was sealed (unix ms), so readers can refuse old or
 *   future-dated copies and keep the newest;
 * - `value`: the data itself (any JSON value; its schema is the reader's).
 *
 * NATS-free: bytes in, bytes out.
 */

/** The tag of a signed-data envelope. */
export const signedDataTag = 'cohort:signed-data:1';

/** Largest signed-data envelope accepted by default, bytes. */
export const defaultMaxSignedDataBytes = 256 * 1024;

/** What the author signs. */
export interface SignedDataBody<T = unknown> {
  readonly kind: string;
  readonly subject: string;
  /** Unix ms when sealed. */
  readonly time: number;
  readonly value: T;
}

/** The envelope on the bus (`cohort:signed-data:1`). */
export interface SignedDataEnvelope {
  protocol: typeof signedDataTag;
  /** The exact JSON text of a SignedDataBody: what `signature` covers. */
  data: string;
  /** Ed25519 signature of `data` by `public_key`, hex. */
  signature: string;
  /** The author's public key, hex. */
  public_key: string;
  /** The author's issuer certificate, when it has one. */
  certificate?: CertificateDocument;
}

/** A decoded envelope (shape checked, signature NOT yet verified). */
export interface OpenedData {
  readonly envelope: SignedDataEnvelope;
  readonly body: SignedDataBody;
}

/** Data that verified: the body, and who signed it. */
export interface VerifiedData<T = unknown> extends SignedDataBody<T> {
  readonly signer: TrustedSigner;
}

/** What the reader expects of the data; every check is made before the value is used. */
export interface DataExpectation {
  /** The kind the reader wants; any other kind is refused. */
  kind: string;
  /** The identity the data claims (e.g. the registry key's identity); undefined: any trusted subject. */
  subject?: string | undefined;
  /** Reader's clock, unix ms. */
  now: number;
  /** Refuse data sealed longer ago than this (ms); default: no limit. */
  maxAgeMs?: number;
  /** Refuse data sealed further in the future than this (ms); default 5 minutes. */
  maxFutureMs?: number;
  /** Check the value's shape (so it may be used as a T): return a reason to refuse it, or undefined. */
  check?: (value: unknown) => string | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');
const hex64 = /^[0-9a-f]{64}$/;
const hex128 = /^[0-9a-f]{128}$/;
const kindPattern = /^[a-z][a-z0-9._-]{0,63}$/;

/**
 * Seal `value` as `kind` for the signer's subject. Throws ProtocolError when
 * the kind is malformed or the value is not JSON-serialisable.
 */
export function sealData(kind: string, value: unknown, signer: Signer, time: number = Date.now()): SignedDataEnvelope {
  if (!kindPattern.test(kind)) throw new ProtocolError(`signed data kind '${kind.slice(0, 64)}' must be lower-case letters, digits, . _ - (at most 64)`);
  if (value === undefined) throw new ProtocolError(`signed ${kind} data has no value`);
  const body: SignedDataBody = { kind, subject: signer.subject, time, value };
  const data = JSON.stringify(body);
  const envelope: SignedDataEnvelope = { protocol: signedDataTag, data, signature: signer.sign(data), public_key: signer.publicKey };
  if (signer.certificate) envelope.certificate = signer.certificate;
  return envelope;
}

/** {@link sealData} as bytes for the bus. */
export function sealDataBytes(kind: string, value: unknown, signer: Signer, time?: number): Uint8Array {
  return encoder.encode(JSON.stringify(sealData(kind, value, signer, time)));
}

/** True when bytes look like a signed-data envelope (cheap; for telling them from older unsigned formats). */
export function isSignedData(bytes: Uint8Array): boolean {
  // `{"protocol":"cohort:signed-data:1"` is how encoding always starts.
  const head = lenient.decode(bytes.subarray(0, 40));
  return head.startsWith(`{"protocol":"${signedDataTag}"`);
}

/**
 * Decode a signed-data envelope and its body (sizes, JSON and shape checked;
 * the signature is NOT checked: use {@link verifyData}). Throws ProtocolError
 * saying what is wrong.
 */
export function openData(bytes: Uint8Array, maxBytes: number = defaultMaxSignedDataBytes): OpenedData {
  if (bytes.byteLength > maxBytes) throw new ProtocolError(`signed data of ${bytes.byteLength} bytes exceeds the ${maxBytes} byte limit`);
  let outer: unknown;
  try {
    outer = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new ProtocolError(`signed data is not valid UTF-8 JSON: ${(err as Error).message}`, { cause: err });
  }
  const envelope = envelopeOf(outer);
  let inner: unknown;
  try {
    inner = JSON.parse(envelope.data);
  } catch (err) {
    throw new ProtocolError(`signed data body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return { envelope, body: bodyOf(inner) };
}

function envelopeOf(v: unknown): SignedDataEnvelope {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError('signed data is not a JSON object');
  const o = v as Record<string, unknown>;
  if (o['protocol'] !== signedDataTag) {
    const p = o['protocol'];
    throw new ProtocolError(`signed data has protocol '${typeof p === 'string' ? p.slice(0, 64) : String(p)}', expected '${signedDataTag}'`);
  }
  for (const key of Object.keys(o)) {
    if (!['protocol', 'data', 'signature', 'public_key', 'certificate'].includes(key)) throw new ProtocolError(`signed data has an unknown field '${key.slice(0, 64)}'`);
  }
  if (typeof o['data'] !== 'string') throw new ProtocolError('signed data has no data text');
  if (typeof o['signature'] !== 'string' || !hex128.test(o['signature'])) throw new ProtocolError('signed data signature must be 128 hex characters');
  if (typeof o['public_key'] !== 'string' || !hex64.test(o['public_key'])) throw new ProtocolError('signed data public_key must be 64 hex characters');
  if (o['certificate'] !== undefined && !validateCertificate(o['certificate'])) throw new ProtocolError('signed data carries an invalid certificate document');
  return o as unknown as SignedDataEnvelope;
}

function bodyOf(v: unknown): SignedDataBody {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError('signed data body is not a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o['kind'] !== 'string' || !kindPattern.test(o['kind'])) throw new ProtocolError('signed data body has no valid kind');
  if (typeof o['subject'] !== 'string' || o['subject'].length === 0 || o['subject'].length > 256) throw new ProtocolError('signed data body has no valid subject');
  if (typeof o['time'] !== 'number' || !Number.isSafeInteger(o['time']) || o['time'] < 0) throw new ProtocolError('signed data body time must be unix milliseconds');
  if (!('value' in o)) throw new ProtocolError('signed data body has no value');
  return { kind: o['kind'], subject: o['subject'], time: o['time'], value: o['value'] };
}

/**
 * Verify opened data: the key must be trusted (key file, or a certificate
 * from a trusted issuer), the signature must cover the body text, the body's
 * subject must be the one the key is bound to and equal `expect.subject`
 * when given, the kind must be `expect.kind`, the time within bounds and the
 * value pass `expect.check`. Returns the verified data, or the reason to
 * ignore it (never throws).
 */
export function verifyData<T = unknown>(opened: OpenedData, trust: TrustStore, expect: DataExpectation): VerifiedData<T> | string {
  const signer = checkBeforeSignature(opened, trust, expect);
  if (typeof signer === 'string') return signer;
  if (!trust.checkSignature(opened.envelope.public_key, opened.envelope.data, opened.envelope.signature)) return forgedMessage(signer);
  return checkAfterSignature<T>(opened, signer, expect);
}

/**
 * {@link verifyData} with the signature checked in the thread pool
 * (TrustStore.checkSignatureAsync): the same checks in the same order, the same answers;
 * for readers verifying many records at once. Never rejects.
 */
export async function verifyDataAsync<T = unknown>(opened: OpenedData, trust: TrustStore, expect: DataExpectation): Promise<VerifiedData<T> | string> {
  const wrong = checkKindAndSubject(opened, expect);
  if (wrong !== undefined) return wrong;
  const signer = checkSigner(opened, await trust.identifyAsync(opened.envelope.public_key, opened.envelope.certificate, expect.now), expect);
  if (typeof signer === 'string') return signer;
  if (!(await trust.checkSignatureAsync(opened.envelope.public_key, opened.envelope.data, opened.envelope.signature))) return forgedMessage(signer);
  return checkAfterSignature<T>(opened, signer, expect);
}

/** Every check before the signature's: kind, subject, a trusted key bound to that subject, time bounds. */
function checkBeforeSignature(opened: OpenedData, trust: TrustStore, expect: DataExpectation): TrustedSigner | string {
  // Cheap checks first: an unwanted kind or subject costs no signature check.
  const wrong = checkKindAndSubject(opened, expect);
  if (wrong !== undefined) return wrong;
  return checkSigner(opened, trust.identify(opened.envelope.public_key, opened.envelope.certificate, expect.now), expect);
}

function checkKindAndSubject(opened: OpenedData, expect: DataExpectation): string | undefined {
  const { body } = opened;
  if (body.kind !== expect.kind) return `signed ${body.kind} data where ${expect.kind} data was expected`;
  if (expect.subject !== undefined && body.subject !== expect.subject) return `data for '${body.subject}' where data for '${expect.subject}' was expected`;
  return undefined;
}

/** The identified key must be bound to the data's subject, and the data's time within bounds. */
function checkSigner(opened: OpenedData, signer: TrustedSigner | string, expect: DataExpectation): TrustedSigner | string {
  const { body } = opened;
  if (typeof signer === 'string') return signer;
  if (signer.subject !== body.subject) return `data claims subject '${body.subject}' but the signing key is bound to '${signer.subject}'`;
  const future = body.time - expect.now;
  if (future > (expect.maxFutureMs ?? 5 * 60_000)) return `data is dated ${Math.round(future / 1000)} s in the future`;
  if (expect.maxAgeMs !== undefined && expect.now - body.time > expect.maxAgeMs) return `data is ${Math.round((expect.now - body.time) / 1000)} s old (limit ${Math.round(expect.maxAgeMs / 1000)} s)`;
  return signer;
}

function forgedMessage(signer: TrustedSigner): string {
  return `the signature does not verify (forged, or changed after signing) for key of ${signer.subject}`;
}

/** The value's own check, once the signature verified. */
function checkAfterSignature<T>(opened: OpenedData, signer: TrustedSigner, expect: DataExpectation): VerifiedData<T> | string {
  const { body } = opened;
  const problem = expect.check?.(body.value);
  if (problem !== undefined) return `signed ${body.kind} data from ${body.subject}: ${problem}`;
  return { ...body, value: body.value as T, signer };
}

/** {@link openData} then {@link verifyData}: the verified data, or the reason to ignore the bytes (never throws). */
export function readData<T = unknown>(bytes: Uint8Array, trust: TrustStore, expect: DataExpectation, maxBytes?: number): VerifiedData<T> | string {
  let opened: OpenedData;
  try {
    opened = openData(bytes, maxBytes);
  } catch (err) {
    return (err as Error).message;
  }
  return verifyData(opened, trust, expect);
}

/** {@link readData} with the signature checked in the thread pool (see verifyDataAsync). Never rejects. */
export async function readDataAsync<T = unknown>(bytes: Uint8Array, trust: TrustStore, expect: DataExpectation, maxBytes?: number): Promise<VerifiedData<T> | string> {
  let opened: OpenedData;
  try {
    opened = openData(bytes, maxBytes);
  } catch (err) {
    return (err as Error).message;
  }
  return verifyDataAsync<T>(opened, trust, expect);
}
