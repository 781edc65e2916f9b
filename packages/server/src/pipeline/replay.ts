import { ReplayVerdict, type ReplayCache, type RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/**
 * Stage (after the TTL and filter checks): refuse a request id this node has
 * already accepted within the request's validity window (time + ttl).
 * Signed requests cannot change their id, so a captured request cannot be
 * run twice here.
 */
export function replayStage(request: RequestMessage, cache: ReplayCache, nowMs: number): Drop | undefined {
  const verdict = cache.check(request.id, request.time + request.ttl * 1000 + 1, nowMs);
  if (verdict === ReplayVerdict.New) return undefined;
  if (verdict === ReplayVerdict.Replayed) {
    return new Drop(DropReason.Replayed, `request ${request.id} from ${request.callerid}@${request.sender} refused: replayed (this id was already accepted within its ${request.ttl} s ttl)`, request);
  }
  return new Drop(
    DropReason.ReplayCacheFull,
    `request ${request.id} from ${request.callerid}@${request.sender} refused: the replay cache holds ${cache.capacity} unexpired ids (raise security.replay_cache_size)`,
    request,
  );
}
