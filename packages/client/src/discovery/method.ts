import { UsageError, type Filter } from '@cohort/core';
import { registryFreshness } from './registry-freshness.js';
import { matchRegistry } from './registry-match.js';
import type { RegisteredNode } from './registry-record.js';
import type { IgnoredRecord } from './registry-view.js';

/** How to find the nodes: `auto` uses the registry when it is fresh, else broadcast. */
export const DiscoveryMethod = {
  Auto: 'auto',
  Broadcast: 'broadcast',
  Registry: 'registry',
} as const;
export type DiscoveryMethod = (typeof DiscoveryMethod)[keyof typeof DiscoveryMethod];

/** Why a registry read without trust is not used for discovery. */
export const unverifiable =
  'its records cannot be verified: no trusted node keys (give issuers or node_keys_dir in the client config, --issuer FILE, or a signing key certified by the issuer)';

/** What the client could learn about the registry. */
export type RegistryState =
  | { readonly kind: 'unavailable'; readonly reason: string }
  | {
      readonly kind: 'loaded';
      readonly nodes: readonly RegisteredNode[];
      readonly now: number;
      /**
       * Entries that did not verify and for which no verified record is kept
       * (ghosts, or nodes whose record was replaced or deleted by someone
       * else): the registry cannot be trusted to be complete.
       */
      readonly unaccounted?: readonly IgnoredRecord[];
    };

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
    if (state.reason === unverifiable) {
      if (requested === 'registry') throw new UsageError(`--dm registry: the registry is not used: ${unverifiable}; or use --dm broadcast`);
      return { method: 'broadcast', note: `broadcast discovery: the registry is not used: ${unverifiable}` };
    }
    if (requested === 'registry') throw new UsageError(`--dm registry: ${state.reason}; use --dm broadcast, or start the nodes with registration enabled`);
    return { method: 'broadcast', note: `broadcast discovery: no registry (${state.reason})` };
  }
  const unaccounted = state.unaccounted ?? [];
  const tampered = unaccounted.length === 0 ? '' : describeIgnored(unaccounted);
  if (tampered && requested === 'auto') return { method: 'broadcast', note: `broadcast discovery: the registry may be incomplete: ${tampered}` };
  const freshness = registryFreshness(state.nodes, state.now);
  if (!freshness.fresh && requested === 'auto') return { method: 'broadcast', note: `broadcast discovery: the registry is not fresh (${freshness.reason})` };
  const match = matchRegistry(state.nodes, filter);
  if (match.nodeData !== undefined) {
    return { method: 'broadcast', note: `broadcast discovery: the filter needs node-side data (${match.nodeData}()), which the registry does not hold` };
  }
  const stale = (freshness.fresh ? '' : ` (stale: ${freshness.reason})`) + (tampered ? ` (${tampered})` : '');
  return {
    method: 'registry',
    identities: match.identities,
    registered: state.nodes.length,
    note: `registry discovery: ${match.identities.length} of ${state.nodes.length} registered node(s) match${stale}`,
  };
}

/** `2 registry record(s) ignored: ghost1: unknown key ...; web2: ...` (at most three reasons). */
export function describeIgnored(ignored: readonly IgnoredRecord[]): string {
  const shown = ignored.slice(0, 3).map((i) => `${i.identity}: ${i.reason}`);
  const more = ignored.length > 3 ? `; and ${ignored.length - 3} more` : '';
  return `${ignored.length} registry record(s) ignored (${shown.join('; ')}${more})`;
}
