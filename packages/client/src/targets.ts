import { UsageError } from '@cohort/core';
import type { Count } from './types.js';

/**
 * Pure target selection: `--limit` and `--batch` counts (`N` or `N%`),
 * deterministic seeded subsets, and batch splitting.
 */

/** A parsed count: an absolute number of nodes or a percentage of those discovered. */
export type ParsedCount = { kind: 'nodes'; n: number } | { kind: 'percent'; percent: number };

/** Parse `N` or `N%` (N > 0; percentages up to 100, decimals allowed). Throws UsageError naming `what`. */
export function parseCount(value: Count, what = 'count'): ParsedCount {
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const p = Number(percent[1]);
    if (p > 0 && p <= 100) return { kind: 'percent', percent: p };
    throw new UsageError(`${what} '${text}' must be a percentage above 0% and at most 100%`);
  }
  if (/^\d+$/.test(text) && Number(text) > 0) return { kind: 'nodes', n: Number(text) };
  throw new UsageError(`${what} '${text}' is not valid: give a whole number of nodes above 0 (e.g. 10) or a percentage (e.g. 25%)`);
}

/** How many of `total` nodes a count selects: percentages are rounded up, never more than `total`. */
export function resolveCount(count: ParsedCount, total: number): number {
  if (total <= 0) return 0;
  const n = count.kind === 'nodes' ? count.n : Math.ceil((total * count.percent) / 100 - 1e-9);
  return Math.min(total, Math.max(1, n));
}

/** mulberry32: a small, fast, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = Math.trunc(seed) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Apply a limit to discovered identities. Without a seed: the first `n` in
 * discovery order. With a seed: a pseudo-random subset that depends only on
 * the seed and the set of identities (not on the order they were discovered).
 */
export function limitTargets(ids: readonly string[], limit: ParsedCount, seed?: number): string[] {
  const n = resolveCount(limit, ids.length);
  if (seed === undefined) return ids.slice(0, n);
  const pool = [...ids].sort();
  const random = seededRandom(seed);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

/** Split identities into consecutive batches of the size the count selects. */
export function batchTargets(ids: readonly string[], batch: ParsedCount): string[][] {
  const size = resolveCount(batch, ids.length);
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}
