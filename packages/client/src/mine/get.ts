import { isMineValueStale, type MineValue } from '@cohort/core';

/** What a node's value is, for `mine get`. */
export type MineState = 'fresh' | 'stale' | 'failed' | 'missing' | 'refused';

/** One row of `mine get` (the JSON shape of the issue, plus `state`). */
export interface MineRow {
  identity: string;
  state: MineState;
  /** When the value was written, unix ms; null when missing or refused. */
  time: number | null;
  age_s: number | null;
  stale: boolean;
  statuscode: number | null;
  statusmsg: string;
  /** Seconds. */
  interval: number | null;
  data?: Record<string, unknown>;
  output?: string;
}

export interface MineStats {
  matched: number;
  fresh: number;
  stale: number;
  missing: number;
  failed: number;
}

export interface MineGetResult {
  function: string;
  values: MineRow[];
  stats: MineStats;
}

/** A verified value, or why the stored one was refused. */
export type Reading = MineValue | { refused: string };

/**
 * The rows for `identities` (the nodes the filter matched), from what was
 * read: a node without a value is missing, a failed run (status not 0) is
 * failed, a value older than `maxAgeMs` (default twice its interval) is
 * stale, a value that did not verify is refused (and counts as failed).
 */
export function mineRows(fn: string, identities: readonly string[], readings: ReadonlyMap<string, Reading>, now: number, maxAgeMs?: number): MineGetResult {
  const stats: MineStats = { matched: identities.length, fresh: 0, stale: 0, missing: 0, failed: 0 };
  const values = [...identities].sort().map((identity): MineRow => {
    const r = readings.get(identity);
    if (r === undefined) {
      stats.missing++;
      return { identity, state: 'missing', time: null, age_s: null, stale: false, statuscode: null, statusmsg: 'no value in the mine', interval: null };
    }
    if ('refused' in r) {
      stats.failed++;
      return { identity, state: 'refused', time: null, age_s: null, stale: false, statuscode: null, statusmsg: `value refused: ${r.refused}`, interval: null };
    }
    const stale = isMineValueStale(r, now, maxAgeMs);
    const failed = r.statuscode !== 0;
    const state: MineState = failed ? 'failed' : stale ? 'stale' : 'fresh';
    if (failed) stats.failed++;
    else if (stale) stats.stale++;
    else stats.fresh++;
    const row: MineRow = { identity, state, time: r.time, age_s: Math.max(0, Math.round((now - r.time) / 100) / 10), stale, statuscode: r.statuscode, statusmsg: r.statusmsg, interval: r.interval };
    if (r.data !== undefined) row.data = r.data;
    if (r.output !== undefined) row.output = r.output;
    return row;
  });
  return { function: fn, values, stats };
}

/** 0 every matched node has a fresh, successful value; 1 some are stale, missing or failed; 3 nothing matched. */
export function mineExitCode(stats: MineStats): 0 | 1 | 3 {
  if (stats.matched === 0) return 3;
  return stats.fresh === stats.matched ? 0 : 1;
}
