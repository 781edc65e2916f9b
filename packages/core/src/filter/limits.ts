/**
 * How big a filter may be. Every node parses and evaluates the filter of
 * every request it receives, so an unbounded filter is a way to make a whole
 * fleet spend memory and CPU (megabyte compounds exhausted a node's heap).
 * The client refuses to send a filter over these limits and nodes refuse to
 * evaluate one (dropped, audited), both naming the limit.
 */
import type { Filter } from './types.js';

export const filterLimits = {
  /** -F, -C, -A and -S terms together. */
  terms: 64,
  /** Identity terms (-I, direct addressing of many nodes). */
  identities: 5000,
  /** Characters in one fact name, fact value, class, agent or identity. */
  termChars: 1024,
  /** Characters in one compound (-S) expression. */
  compoundChars: 4096,
} as const;

/** What is wrong with the size of `filter`, or undefined when it is within the limits. */
export function filterSizeProblem(filter: Filter): string | undefined {
  const terms = filter.fact.length + filter.cf_class.length + filter.agent.length + filter.compound.length;
  if (terms > filterLimits.terms) return `the filter has ${terms} fact, class, agent and compound terms (at most ${filterLimits.terms})`;
  if (filter.identity.length > filterLimits.identities) return `the filter names ${filter.identity.length} identities (at most ${filterLimits.identities})`;
  // Plain loops, in the order of the checks (every node runs this on every request).
  const compound = longest(filter.compound, filterLimits.compoundChars);
  if (compound !== undefined) return tooLong('compound expression', compound, filterLimits.compoundChars);
  for (const f of filter.fact) {
    if (f.fact.length > filterLimits.termChars) return tooLong('fact term', f.fact, filterLimits.termChars);
    if (f.value.length > filterLimits.termChars) return tooLong('fact term', f.value, filterLimits.termChars);
  }
  const cls = longest(filter.cf_class, filterLimits.termChars);
  if (cls !== undefined) return tooLong('class', cls, filterLimits.termChars);
  const agent = longest(filter.agent, filterLimits.termChars);
  if (agent !== undefined) return tooLong('agent', agent, filterLimits.termChars);
  const identity = longest(filter.identity, filterLimits.termChars);
  if (identity !== undefined) return tooLong('identity', identity, filterLimits.termChars);
  return undefined;
}

/** The first of `values` longer than `max` characters. */
function longest(values: readonly string[], max: number): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== undefined && v.length > max) return v;
  }
  return undefined;
}

function tooLong(kind: string, value: string, max: number): string {
  return `a ${kind} in the filter has ${value.length} characters (at most ${max})`;
}
