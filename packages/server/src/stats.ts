import type { DaemonCounters } from '@cohort/agents';

/** Why a message got no reply. */
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
  readonly dropped: Record<DropReason, number> = { invalid: 0, ttl_expired: 0, filtered: 0, misrouted: 0, reply_failed: 0 };

  /** Count one dropped message. */
  drop(reason: DropReason): void {
    this.dropped[reason]++;
  }

  /** A copy of the counters. */
  snapshot(): DaemonCounters {
    const { total, validated, unvalidated, passed, filtered, replies, ttlexpired, events } = this;
    return { total, validated, unvalidated, passed, filtered, replies, ttlexpired, events, dropped: { ...this.dropped } };
  }
}
