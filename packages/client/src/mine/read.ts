import { mineBucket, parseMineKey, type TrustStore } from '@cohort/core';
import type { Reading } from './get.js';
import { isKvMissing, type MineKvOpener } from './kv.js';
import { verifyMineEntry } from './verify.js';

/** Every node's value of `fn` in `collective`, verified; `missing` when there is no mine bucket. */
export async function readMine(open: MineKvOpener, collective: string, fn: string, trust: TrustStore, now: () => number = Date.now): Promise<{ readings: Map<string, Reading>; missing?: string }> {
  const readings = new Map<string, Reading>();
  const kv = await open(mineBucket(collective), false);
  if (isKvMissing(kv)) return { readings, missing: kv.missing };
  const raw: Array<{ key: string; value: Uint8Array }> = [];
  await kv.watch(`${fn}.>`, (e) => {
    if (e.value !== undefined) raw.push({ key: e.key, value: e.value });
  }, false);
  const at = now();
  for (const { key, value } of raw) {
    const id = parseMineKey(key)?.identity;
    if (id === undefined) continue;
    const v = verifyMineEntry(key, value, trust, at);
    readings.set(id, typeof v === 'string' ? { refused: v } : v);
  }
  return { readings };
}
