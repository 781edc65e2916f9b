import type { DaemonCounters } from '@cohort/agents';

/** Why a message got no reply (or, for `unauthorized` and `audit_failed`, why its action did not run). */
export const DropReason = {
  /** Not a valid request: too big, not UTF-8/JSON, unknown protocol, schema violation. */
  Invalid: 'invalid',
  /** Outside its TTL window. */
  TtlExpired: 'ttl_expired',
  /** Did not match this node's filter. */
  Filtered: 'filtered',
  /** Request collective or agent disagrees with the subject it arrived on. */
  Misrouted: 'misrouted',
  /** Publishing the reply failed (connection closing, payload limit). */
  ReplyFailed: 'reply_failed',
  /** Not signed, and this node only accepts signed requests. */
  Unsigned: 'unsigned',
  /** Signed, but the signature, the signer's trust or the callerid binding did not check out. */
  Unverified: 'unverified',
  /** A request id already seen within its TTL. */
  Replayed: 'replayed',
  /** The replay cache is full of unexpired ids (security.replay_cache_size): refused rather than risk a replay. */
  ReplayCacheFull: 'replay_cache_full',
  /** One caller holds its whole share of the replay cache (security.replay_per_caller): its requests are refused. */
  ReplayCallerFull: 'replay_caller_full',
  /** The request names a reply subject that is not the caller's own (it would aim the node's bus credentials elsewhere). */
  ForeignReplyTo: 'foreign_reply_to',
  /** The request's signed target list does not name this node. */
  NotTargeted: 'not_targeted',
  /** The filter is larger than the limits (terms, characters). */
  FilterTooLarge: 'filter_too_large',
  /** The request's time is too far in the future, or older than this daemon's start. */
  BadTime: 'bad_time',
  /** Every action slot is busy and the queue is full (status 1 reply). */
  QueueFull: 'queue_full',
  /** Refused by an authorization policy (these DO get a status 1 reply; counted here as not run). */
  Unauthorized: 'unauthorized',
  /** The audit log could not be written, so the action was not run (status 1 reply). */
  AuditFailed: 'audit_failed',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/**
 * The pipeline's counters (rpcutil daemon_stats). Plain fields incremented in
 * place: this is on the hot path.
 */
export class Stats {
  total = 0;
  validated = 0;
  unvalidated = 0;
  passed = 0;
  filtered = 0;
  replies = 0;
  ttlexpired = 0;
  events = 0;
  /**
   * Drops by reason. The core reasons are always present; the security ones
   * (unsigned, unverified, replayed, ...) appear once they first happen.
   */
  readonly dropped: Partial<Record<DropReason, number>> & Record<'invalid' | 'ttl_expired' | 'filtered' | 'misrouted' | 'reply_failed', number> = {
    invalid: 0,
    ttl_expired: 0,
    filtered: 0,
    misrouted: 0,
    reply_failed: 0,
  };

  /** Counters of the node-side templates, when any are configured (set by the server). */
  templates: (() => Readonly<Record<string, Readonly<Record<string, number>>>>) | undefined;

  /** Count one dropped message. */
  drop(reason: DropReason): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  /** A copy of the counters. */
  snapshot(): DaemonCounters {
    const { total, validated, unvalidated, passed, filtered, replies, ttlexpired, events } = this;
    return { total, validated, unvalidated, passed, filtered, replies, ttlexpired, events, dropped: { ...this.dropped }, ...(this.templates ? { templates: this.templates() } : {}) };
  }
}
