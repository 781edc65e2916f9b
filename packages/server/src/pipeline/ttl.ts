import type { RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/** How fresh a request must be (node settings). */
export interface Freshness {
  /** Longest ttl honoured, seconds (security.max_ttl): a longer one is cut to this. */
  readonly maxTtl: number;
  /** Milliseconds a request time may lie in the future (security.max_clock_skew). */
  readonly maxSkewMs: number;
  /** When this daemon started (unix ms): older requests are refused, since the replay cache does not know them. */
  readonly startedAt: number;
}

/** Lenient settings for callers that do not say (unit tests, unsigned labs). */
export const defaultFreshness: Freshness = { maxTtl: 86_400, maxSkewMs: 86_400_000, startedAt: 0 };

/** The ttl a node honours for `request`, in seconds. */
export function effectiveTtl(request: RequestMessage, freshness: Freshness): number {
  return Math.min(request.ttl, freshness.maxTtl);
}

/**
 * Stage 3: accept a request when |now - time| <= ttl (ttl cut to max_ttl),
 * its time is at most max_clock_skew in the future, and it was made after
 * this daemon started (a request from before a restart could be a replay the
 * fresh replay cache does not know). Stale ones are dropped.
 */
export function ttlStage(request: RequestMessage, nowMs: number, freshness: Freshness = defaultFreshness): Drop | undefined {
  const age = nowMs - request.time;
  const ttl = effectiveTtl(request, freshness);
  if (-age > freshness.maxSkewMs) {
    return new Drop(DropReason.BadTime, `request ${request.id} is ${Math.round(-age / 1000)} s in the future, more than the ${Math.round(freshness.maxSkewMs / 1000)} s clock skew allowed (security.max_clock_skew)`, request);
  }
  if (Math.abs(age) > ttl * 1000) {
    const what = age > 0 ? `${Math.round(age / 1000)} s old` : `${Math.round(-age / 1000)} s in the future`;
    const cut = ttl < request.ttl ? ` (its ${request.ttl} s cut to security.max_ttl)` : '';
    return new Drop(DropReason.TtlExpired, `request ${request.id} is ${what}, outside its ${ttl} s ttl${cut}`, request);
  }
  if (request.time < freshness.startedAt) {
    return new Drop(DropReason.BadTime, `request ${request.id} was made before this daemon started (${new Date(freshness.startedAt).toISOString()}); a request from before a restart may be a replay`, request);
  }
  return undefined;
}
