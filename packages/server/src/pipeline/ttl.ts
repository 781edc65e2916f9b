import type { RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/**
 * Stage 3: accept a request when |now - time| <= ttl. Messages slightly from
 * the future are fine (clock skew), as in Choria; stale ones are dropped.
 */
export function ttlStage(request: RequestMessage, nowMs: number): Drop | undefined {
  const age = nowMs - request.time;
  if (Math.abs(age) <= request.ttl * 1000) return undefined;
  const what = age > 0 ? `${Math.round(age / 1000)} s old` : `${Math.round(-age / 1000)} s in the future`;
  return new Drop(DropReason.TtlExpired, `request ${request.id} is ${what}, outside its ${request.ttl} s ttl`);
}
