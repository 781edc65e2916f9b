import { isEmptyFilter, matchFilter, plainIdentities, UsageError, type Filter } from '@cohort/core';
import { matchRegistry, type DataAnswers } from './registry-match.js';
import type { RegisteredNode } from './registry-record.js';

/**
 * The nodes a reader of node data on the bus (mine values, check states)
 * reports on. No filter: every node holding data (`holders`). A filter is
 * evaluated exactly as registry discovery evaluates it (same matcher, same
 * registered facts); a node holding data but gone from the registry (dead,
 * its record expired) is matched on its identity alone, so `-I web1` still
 * shows web1's stale data. Plain identities (`-I web1 -I web2`, no other
 * filter) are the targets as given, as they skip discovery for rpc. Throws
 * UsageError for filters that need node-side data (fstat()); `what` names
 * the command in that message. `answers` answers data functions the caller
 * knows for every node (see DataAnswers).
 */
export function registryTargets(filter: Filter, registered: readonly RegisteredNode[], holders: Iterable<string>, what: string, answers: DataAnswers = {}): string[] {
  const withData = [...new Set(holders)];
  if (isEmptyFilter(filter)) return withData.sort();
  const plain = plainIdentities(filter);
  if (plain !== undefined) return [...new Set(plain)].sort();
  const match = matchRegistry(registered, filter, answers);
  if (match.nodeData !== undefined) throw new UsageError(`the filter needs node-side data (${match.nodeData}()), which the registry does not hold: ${what} filters on registered facts, classes, agents and identities`);
  const out = new Set(match.identities);
  const known = new Set(registered.map((n) => n.identity));
  for (const id of withData) {
    const data = (name: string, arg: string) => answers[name]?.(id, arg);
    if (!known.has(id) && matchFilter(filter, { identity: id, facts: {}, classes: [], agents: [], data })) out.add(id);
  }
  return [...out].sort();
}
