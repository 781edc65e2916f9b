import { mineBucket, parseMineKey, type TrustStore } from '@cohort/core';
import { readSignedBucket } from '../signed-bucket.js';
import type { Reading } from './get.js';
import type { MineKvOpener } from './kv.js';
import { verifyMineEntryAsync } from './verify.js';

/**
 * Every node's value of `fn` in `collective`, verified (signatures checked in
 * the thread pool while the rest of the bucket is still arriving); `missing`
 * when there is no mine bucket.
 */
export async function readMine(open: MineKvOpener, collective: string, fn: string, trust: TrustStore, now: () => number = Date.now): Promise<{ readings: Map<string, Reading>; missing?: string }> {
  const read = await readSignedBucket(open, mineBucket(collective), `${fn}.>`, (key, bytes, at) => verifyMineEntryAsync(key, bytes, trust, at), now);
  const readings = new Map<string, Reading>();
  for (const [key, r] of read.entries) {
    const id = parseMineKey(key)?.identity;
    if (id !== undefined) readings.set(id, r);
  }
  return read.missing === undefined ? { readings } : { readings, missing: read.missing };
}
