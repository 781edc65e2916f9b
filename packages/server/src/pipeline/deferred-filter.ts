import { emptyFilter, type Filter, type FstatResult, type NodeView } from '@cohort/core';
import type { AsyncFstat } from '../fstat.js';
import type { FilterMatcher } from './filter.js';

/**
 * fstat() in a filter touches the disk, so it is not evaluated with the rest
 * of the filter (before authorization, synchronously, for anyone on the
 * bus): compounds calling it are held back and evaluated only for requests
 * this node has authorized, with the file system read asynchronously
 * (fstat.ts). An unauthorized caller therefore learns nothing about files.
 */

/** Most distinct paths one request's fstat calls may look at. */
const maxPaths = 16;

const none: readonly string[] = Object.freeze([]);

function hasFstat(compound: readonly string[]): boolean {
  for (let i = 0; i < compound.length; i++) if (compound[i]?.includes('fstat')) return true;
  return false;
}

/** The filter without the compounds that call fstat, and those compounds. */
export function splitFilter(filter: Filter): { now: Filter; later: readonly string[] } {
  if (!hasFstat(filter.compound)) return { now: filter, later: none };
  return {
    now: { ...filter, compound: filter.compound.filter((c) => !c.includes('fstat')) },
    later: filter.compound.filter((c) => c.includes('fstat')),
  };
}

/**
 * Do the held-back compounds match? Evaluated once to learn the paths fstat
 * is asked about, then again with their results read asynchronously.
 */
export async function matchDeferred(later: readonly string[], view: NodeView, fstat: AsyncFstat, match: FilterMatcher): Promise<boolean> {
  if (later.length === 0) return true;
  const filter: Filter = { ...emptyFilter(), compound: [...later] };
  const known = new Map<string, FstatResult | undefined>();
  for (let round = 0; round < 3; round++) {
    const wanted = new Set<string>();
    const data = (name: string, arg: string): Record<string, unknown> | undefined => {
      if (name !== 'fstat') return view.data?.(name, arg);
      if (known.has(arg)) return known.get(arg);
      wanted.add(arg);
      return undefined;
    };
    const matched = match(filter, { ...view, data });
    if (wanted.size === 0) return matched;
    if (known.size + wanted.size > maxPaths) return false;
    const paths = [...wanted];
    const results = await Promise.all(paths.map((p) => fstat(p)));
    paths.forEach((p, i) => known.set(p, results[i]));
  }
  return false;
}
