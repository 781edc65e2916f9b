import { UsageError, type Filter } from '@cohort/core';
import { registryFreshness } from './registry-freshness.js';
import { matchRegistry } from './registry-match.js';
import type { RegisteredNode } from './registry-record.js';

/** How to find the nodes: `auto` uses the registry when it is fresh, else broadcast. */
export const DiscoveryMethod = {
  Auto: 'auto',
  Broadcast: 'broadcast',
  Registry: 'registry',
} as const;
export type DiscoveryMethod = (typeof DiscoveryMethod)[keyof typeof DiscoveryMethod];

/** What the client could learn about the registry. */
export type RegistryState =
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'loaded'; readonly nodes: readonly RegisteredNode[]; readonly now: number };

/** Which discovery runs, with a one-line note saying why (shown with -v). */
export type DiscoveryDecision =
  | { readonly method: 'registry'; readonly identities: string[]; readonly registered: number; readonly note: string }
  | { readonly method: 'broadcast'; readonly note: string };

/**
 * The fallback rules. `auto`: registry when it is loaded and fresh and the
 * filter needs nothing but registered data, else broadcast. `registry`:
 * the registry even when stale, but a missing registry is an error (exit 2,
 * nothing sent). Either way a filter that needs node-side data (`fstat`)
 * falls back to broadcast, because only the node can answer it.
 */
export function decideDiscovery(requested: 'auto' | 'registry', state: RegistryState, filter: Filter): DiscoveryDecision {
  if (state.kind === 'unavailable') {
    if (requested === 'registry') throw new UsageError(`--dm registry: ${state.reason}; use --dm broadcast, or start the nodes with registration enabled`);
    return { method: 'broadcast', note: `broadcast discovery: no registry (${state.reason})` };
  }
  const freshness = registryFreshness(state.nodes, state.now);
  if (!freshness.fresh && requested === 'auto') return { method: 'broadcast', note: `broadcast discovery: the registry is not fresh (${freshness.reason})` };
  const match = matchRegistry(state.nodes, filter);
  if (match.nodeData !== undefined) {
    return { method: 'broadcast', note: `broadcast discovery: the filter needs node-side data (${match.nodeData}()), which the registry does not hold` };
  }
  const stale = freshness.fresh ? '' : ` (stale: ${freshness.reason})`;
  return {
    method: 'registry',
    identities: match.identities,
    registered: state.nodes.length,
    note: `registry discovery: ${match.identities.length} of ${state.nodes.length} registered node(s) match${stale}`,
  };
}
