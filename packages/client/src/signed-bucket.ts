import { isKvMissing, type KvEntry, type MineKvOpener } from './mine/kv.js';

/** A stored entry that did not verify, and why (shown with -v; never used). */
export interface Refused {
  readonly refused: string;
}

export function isRefused(v: unknown): v is Refused {
  return typeof v === 'object' && v !== null && 'refused' in v;
}

/** Verifies one entry of a signed bucket: the value, or the reason it must be ignored (may check the signature off the main thread). */
export type EntryVerifier<T> = (key: string, bytes: Uint8Array, now: number) => T | string | Promise<T | string>;

/**
 * Every current entry of a bucket matching `filter`, once (no watch left
 * behind): through the opener's one-request read when it has one, else
 * one watch without follow. Returns why the bucket cannot be read
 * (`missing`), or undefined.
 */
export async function readBucketEntries(open: MineKvOpener, bucket: string, filter: string, onEntry: (entry: KvEntry) => void): Promise<string | undefined> {
  if (open.latest !== undefined) return (await open.latest(bucket, filter, onEntry))?.missing;
  const kv = await open(bucket, false);
  if (isKvMissing(kv)) return kv.missing;
  await kv.watch(filter, onEntry, false);
  return undefined;
}

/**
 * Read every current entry of a bucket whose values are signed data (the
 * mine's values, the nodes' check states) and verify each one: key → the
 * verified value, or why it was refused. `missing` when the bucket does not
 * exist (nothing read). One read of the bucket's current values
 * ({@link readBucketEntries}); entries keep the bucket's order.
 */
export async function readSignedBucket<T>(
  open: MineKvOpener,
  bucket: string,
  filter: string,
  verify: EntryVerifier<T>,
  now: () => number = Date.now,
): Promise<{ entries: Map<string, T | Refused>; missing?: string }> {
  const entries = new Map<string, T | Refused>();
  // One clock reading for the whole read: every entry is judged at the same instant.
  const at = now();
  // Each entry is verified as it arrives (an asynchronous verifier checks signatures on
  // every core while the rest of the bucket is still being read).
  const pending: Array<{ key: string; result: T | string | Promise<T | string> }> = [];
  const missing = await readBucketEntries(open, bucket, filter, (e) => {
    if (e.value !== undefined) pending.push({ key: e.key, result: verify(e.key, e.value, at) });
  });
  if (missing !== undefined) return { entries, missing };
  const verified = await Promise.all(pending.map((p) => p.result));
  pending.forEach(({ key }, i) => {
    const v = verified[i] as T | string;
    entries.set(key, typeof v === 'string' ? { refused: v } : v);
  });
  return { entries };
}
