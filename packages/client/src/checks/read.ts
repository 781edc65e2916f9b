import { checkKey, checksBucket, parseCheckKey, type CheckStateRecord, type TrustStore } from '@cohort/core';
import type { MineKvOpener } from '../mine/kv.js';
import { readSignedBucket, type Refused } from '../signed-bucket.js';
import { verifyCheckEntryAsync } from './verify.js';

/** A verified state record, or why the stored one was refused. */
export type CheckReading = CheckStateRecord | Refused;

/** One refused entry: where it was stored and why it was not believed. */
export interface RefusedCheck {
  key: string;
  identity: string | undefined;
  check: string | undefined;
  reason: string;
}

export interface CheckStatesRead {
  /** Verified records, in key order. */
  records: CheckStateRecord[];
  /** Entries that did not verify (forged, unsigned, signed by another node, malformed). */
  refused: RefusedCheck[];
  /** Why nothing could be read (no bucket, no JetStream). */
  missing?: string;
}

/** Explains a missing checks bucket in the reader's terms. */
export function noCheckStates(missing: string): string {
  return `no check states on this bus yet: ${missing}; nodes write them once they run checks (checks: in cohortd's config, see docs/checks.md)`;
}

/**
 * Every node's current check states in `collective` (only `check`'s when
 * given: one key filter, nothing else is read), each verified against the
 * node keys in `trust` (the signatures checked in the thread pool, on every core).
 */
export async function readCheckStates(open: MineKvOpener, collective: string, trust: TrustStore, options: { check?: string; now?: () => number } = {}): Promise<CheckStatesRead> {
  const filter = options.check === undefined ? '>' : `${options.check}.>`;
  const read = await readSignedBucket(open, checksBucket(collective), filter, (key, bytes, at) => verifyCheckEntryAsync(key, bytes, trust, at), options.now);
  const records: CheckStateRecord[] = [];
  const refused: RefusedCheck[] = [];
  for (const [key, r] of [...read.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if ('refused' in r) {
      const p = parseCheckKey(key);
      refused.push({ key, identity: p?.identity, check: p?.check, reason: r.refused });
    } else records.push(r);
  }
  return read.missing === undefined ? { records, refused } : { records, refused, missing: read.missing };
}

/** One node's state of one check (with its history), verified; undefined when it has none. */
export async function readCheckState(open: MineKvOpener, collective: string, identity: string, check: string, trust: TrustStore, now: () => number = Date.now): Promise<{ record?: CheckStateRecord; refused?: string; missing?: string }> {
  const key = checkKey(check, identity);
  const read = await readSignedBucket(open, checksBucket(collective), key, (k, bytes, at) => verifyCheckEntryAsync(k, bytes, trust, at), now);
  if (read.missing !== undefined) return { missing: read.missing };
  const r = read.entries.get(key);
  if (r === undefined) return {};
  return 'refused' in r ? { refused: r.refused } : { record: r };
}
