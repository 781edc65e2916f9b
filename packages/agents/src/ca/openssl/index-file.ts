import { AgentError } from '../../errors.js';
import { readIfExists, writeAtomic } from '../../lib/files.js';

/** One certificate the openssl CA issued and has not revoked. */
export interface IssuedEntry {
  /** Serial number, hex. */
  readonly serial: string;
  /** SHA-256 (hex) of the certificate's public key: signing the same key again is a no-op. */
  readonly key: string;
  /** SHA-256 fingerprint of the certificate (`AB:CD:...`). */
  readonly fingerprint: string;
  /** ISO times. */
  readonly issued_at: string;
  readonly not_after: string;
}

/** A certificate removed by clean (or replaced on expiry). */
export interface RevokedEntry {
  readonly certname: string;
  readonly serial: string;
  readonly revoked_at: string;
}

/** The openssl CA's index: issued certificates by certname, and the revoked ones. */
export interface CaIndex {
  readonly version: 1;
  readonly issued: Readonly<Record<string, IssuedEntry>>;
  readonly revoked: readonly RevokedEntry[];
}

export const emptyIndex: CaIndex = Object.freeze({ version: 1, issued: {}, revoked: [] });

function isIssued(value: unknown): value is IssuedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['serial', 'key', 'fingerprint', 'issued_at', 'not_after'].every((k) => typeof v[k] === 'string');
}

/** Parse index.json; a damaged file is an error naming it (never silently reset: that would forget issued certificates). */
export function parseIndex(text: string, file: string): CaIndex {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AgentError(`the CA index ${file} is not valid JSON (${(err as Error).message}); restore it from a backup`, 1, { cause: err });
  }
  const { version, issued, revoked } = (data ?? {}) as { version?: unknown; issued?: unknown; revoked?: unknown };
  const issuedOk = typeof issued === 'object' && issued !== null && !Array.isArray(issued) && Object.values(issued).every(isIssued);
  if (version !== 1 || !issuedOk || !Array.isArray(revoked)) {
    throw new AgentError(`the CA index ${file} is not a version 1 index ({ version: 1, issued: {...}, revoked: [...] }); restore it from a backup`, 1);
  }
  return { version: 1, issued: issued as Record<string, IssuedEntry>, revoked: revoked as RevokedEntry[] };
}

/** Read the index (empty when the file does not exist yet). */
export async function readIndex(file: string): Promise<CaIndex> {
  const text = await readIfExists(file);
  return text === undefined ? emptyIndex : parseIndex(text, file);
}

/** Replace the index atomically (readers see the old or the new one, never half). */
export async function writeIndex(file: string, index: CaIndex): Promise<void> {
  await writeAtomic(file, `${JSON.stringify(index, null, 2)}\n`, 0o600);
}

/** The index with `certname` issued as `entry` (replacing any previous entry). */
export function withIssued(index: CaIndex, certname: string, entry: IssuedEntry): CaIndex {
  return { ...index, issued: { ...index.issued, [certname]: entry } };
}

/** The index with `certname`'s certificate moved to the revoked list. */
export function withRevoked(index: CaIndex, certname: string, at: Date): CaIndex {
  const entry = index.issued[certname];
  if (entry === undefined) return index;
  const issued = Object.fromEntries(Object.entries(index.issued).filter(([name]) => name !== certname));
  return { ...index, issued, revoked: [...index.revoked, { certname, serial: entry.serial, revoked_at: at.toISOString() }] };
}
