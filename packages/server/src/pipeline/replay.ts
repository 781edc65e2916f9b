import { ReplayVerdict, type ReplayCache, type RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/**
 * Stage (after authorization, so only requests this node would run are
 * remembered): refuse a request id this node has already accepted within the
 * request's validity window (time + ttl, the ttl cut to max_ttl). Signed
 * requests cannot change their id, so a captured request cannot be run twice
 * here. Each caller may hold only its share of the cache.
 */
export function replayStage(request: RequestMessage, cache: ReplayCache, nowMs: number, ttlSeconds = request.ttl): Drop | undefined {
  const verdict = cache.check(request.id, request.time + ttlSeconds * 1000 + 1, nowMs, request.callerid);
  if (verdict === ReplayVerdict.New) return undefined;
  const who = `request ${request.id} from ${request.callerid}@${request.sender} refused`;
  if (verdict === ReplayVerdict.Replayed) {
    return new Drop(DropReason.Replayed, `${who}: replayed (this id was already accepted within its ${ttlSeconds} s ttl)`, request);
  }
  if (verdict === ReplayVerdict.CallerFull) {
    return new Drop(DropReason.ReplayCallerFull, `${who}: ${request.callerid} already holds ${cache.perCaller} unexpired ids, its share of the replay cache (security.replay_per_caller)`, request);
  }
  return new Drop(DropReason.ReplayCacheFull, `${who}: the replay cache holds ${cache.capacity} unexpired ids (raise security.replay_cache_size)`, request);
}
