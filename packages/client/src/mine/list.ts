import { isMineValueStale, openData, parseMineKey, type MineValue } from '@cohort/core';
import type { Reading } from './get.js';

/** One function in `mine ls`. */
export interface MineListing {
  function: string;
  /** Where nodes say it is declared (`config`, `drop-in FILE`, `bus user=alice`), and fleet-wide definitions. */
  defined: string[];
  nodes: number;
  fresh: number;
  stale: number;
  failed: number;
  /** Age of the oldest value, seconds; null without values. */
  oldest_age_s: number | null;
}

/** A fleet-wide definition as listed (its author and target, read without trusting it: nodes verify). */
export interface ListedDefinition {
  name: string;
  by: string;
  what: string;
}

/** Describe a definitions-bucket entry for listing; undefined when it does not even decode. */
export function listedDefinition(name: string, bytes: Uint8Array): ListedDefinition | undefined {
  try {
    const { body } = openData(bytes);
    const v = body.value as { agent?: unknown; action?: unknown; interval?: unknown };
    return { name, by: body.subject, what: `${String(v.agent)}#${String(v.action)} every ${String(v.interval)}s` };
  } catch {
    return undefined;
  }
}

/** Group every value read (key → reading) by function. */
export function mineListing(readings: ReadonlyMap<string, Reading>, definitions: readonly ListedDefinition[], now: number): MineListing[] {
  const byFn = new Map<string, MineListing>();
  const entry = (fn: string): MineListing => {
    let l = byFn.get(fn);
    if (!l) byFn.set(fn, (l = { function: fn, defined: [], nodes: 0, fresh: 0, stale: 0, failed: 0, oldest_age_s: null }));
    return l;
  };
  for (const d of definitions) entry(d.name).defined.push(`defined by ${d.by}: ${d.what}`);
  for (const [key, r] of readings) {
    const fn = parseMineKey(key)?.function;
    if (fn === undefined) continue;
    const l = entry(fn);
    l.nodes++;
    if ('refused' in r) {
      l.failed++;
      continue;
    }
    const v: MineValue = r;
    if (!l.defined.includes(v.source)) l.defined.push(v.source);
    if (v.statuscode !== 0) l.failed++;
    else if (isMineValueStale(v, now)) l.stale++;
    else l.fresh++;
    const age = Math.round((now - v.time) / 1000);
    l.oldest_age_s = Math.max(l.oldest_age_s ?? 0, age);
  }
  return [...byFn.values()].sort((a, b) => a.function.localeCompare(b.function));
}
