/**
 * Node-side filter matching: runs for every request on every node, so it is
 * allocation-light and memoises parsed compounds and compiled regexes.
 */
import { compareValue } from './compare.js';
import { cachedCompound, evaluateCompound } from './compound/index.js';
import { lookupFact } from './fact-lookup.js';
import { matchesAnyName, matchesName } from './names.js';
import { cachedRegex } from './regex.js';
import type { FactFilter, Filter, NodeView } from './types.js';

/**
 * Does this node match the filter? Every kind is ANDed, identities are ORed,
 * several classes, agents, facts and compounds are each ANDed; an empty
 * filter matches everything. Never throws: a compound that fails to parse or
 * evaluate, or an invalid regex, does not match.
 */
export function matchFilter(filter: Filter, node: NodeView): boolean {
  try {
    return matchesIdentity(filter.identity, node.identity) &&
      matchesAll(filter.agent, node.agents) &&
      matchesAll(filter.cf_class, node.classes) &&
      matchesFacts(filter.fact, node) &&
      matchesCompounds(filter.compound, node);
  } catch {
    return false;
  }
}

function matchesIdentity(patterns: readonly string[], identity: string): boolean {
  if (patterns.length === 0) return true;
  for (const pattern of patterns) if (matchesName(pattern, identity)) return true;
  return false;
}

function matchesAll(patterns: readonly string[], names: readonly string[]): boolean {
  for (const pattern of patterns) if (!matchesAnyName(pattern, names)) return false;
  return true;
}

function matchesFacts(terms: readonly FactFilter[], node: NodeView): boolean {
  for (const term of terms) if (!matchesFact(term, node)) return false;
  return true;
}

/** One `-F` term against the node's facts; a missing fact never matches, whatever the operator. */
export function matchesFact(term: FactFilter, node: NodeView): boolean {
  const actual = lookupFact(node.facts, term.fact);
  if (actual === undefined) return false;
  const regex = term.operator === '=~' ? cachedRegex(term.value) : null;
  return compareValue(actual, term.operator, term.value, regex);
}

function matchesCompounds(sources: readonly string[], node: NodeView): boolean {
  for (const source of sources) {
    const expression = cachedCompound(source);
    if (expression === null || !evaluateCompound(expression, node)) return false;
  }
  return true;
}
