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
  const long = (kind: string, values: Iterable<string>, max: number): string | undefined => {
    for (const v of values) if (v.length > max) return `a ${kind} in the filter has ${v.length} characters (at most ${max})`;
    return undefined;
  };
  return (
    long('compound expression', filter.compound, filterLimits.compoundChars) ??
    long('fact term', filter.fact.flatMap((f) => [f.fact, f.value]), filterLimits.termChars) ??
    long('class', filter.cf_class, filterLimits.termChars) ??
    long('agent', filter.agent, filterLimits.termChars) ??
    long('identity', filter.identity, filterLimits.termChars)
  );
}
