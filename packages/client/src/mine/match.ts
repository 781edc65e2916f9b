import { isEmptyFilter, matchFilter, plainIdentities, UsageError, type Filter } from '@cohort/core';
import { matchRegistry } from '../discovery/registry-match.js';
import type { RegisteredNode } from '../discovery/registry-record.js';

/**
 * The nodes `mine get` reports on. No filter: every node holding a value.
 * A filter is evaluated exactly as registry discovery evaluates it (same
 * matcher, same registered facts); a node holding a value but gone from the
 * registry (dead, its record expired) is matched on its identity alone, so
 * `-I web1` still shows web1's stale value. Plain identities (`-I web1 -I
 * web2`, no other filter) are the targets as given, as they skip discovery
 * for rpc: one that holds no value is reported missing. Throws UsageError for filters
 * that need node-side data (fstat()).
 */
export function mineTargets(filter: Filter, registered: readonly RegisteredNode[], holders: Iterable<string>): string[] {
  const withValues = [...holders];
  if (isEmptyFilter(filter)) return withValues.sort();
  const plain = plainIdentities(filter);
  if (plain !== undefined) return [...new Set(plain)].sort();
  const match = matchRegistry(registered, filter);
  if (match.nodeData !== undefined) throw new UsageError(`the filter needs node-side data (${match.nodeData}()), which the registry does not hold: mine get filters on registered facts, classes, agents and identities`);
  const out = new Set(match.identities);
  const known = new Set(registered.map((n) => n.identity));
  for (const id of withValues) {
    if (!known.has(id) && matchFilter(filter, { identity: id, facts: {}, classes: [], agents: [] })) out.add(id);
  }
  return [...out].sort();
}
