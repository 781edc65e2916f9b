import { checkEventsFilter, checkEventsStream, parseCheckEventSubject, type CheckEvent, type TrustStore } from '@cohort/core';
import type { Bus } from '../bus.js';
import type { StreamFollow } from '../bus/stream-follow.js';
import { verifyCheckEvent } from './verify.js';

export interface CheckEventWatchOptions {
  collective: string;
  /** Trusted node keys: every event is verified against them. */
  trust: TrustStore;
  /** Only this node's events (a filter on the server); default every node's. */
  identity?: string | undefined;
  /** Start with events stored since this time (unix ms); default: only new events. */
  sinceMs?: number | undefined;
  /** Deliver only events this accepts (node filters); default all. */
  accept?: (identity: string, check: string) => boolean;
  /** A verified event. */
  onEvent: (event: CheckEvent, stored: number) => void;
  /** An event that did not verify (forged, unsigned, another node's key), and why. Never delivered to onEvent. */
  onRefused?: (subject: string, reason: string) => void;
  now?: () => number;
}

/** Explains a missing events stream in the reader's terms. */
export function noCheckEvents(missing: string): string {
  return `no check events on this bus yet: ${missing}; nodes create it when they run checks (checks: in cohortd's config, see docs/checks.md)`;
}

/**
 * Follow the collective's check events live (an ordered, ephemeral consumer
 * on the events stream), verifying each one: signed by the node the subject
 * names, of kind `check-event`. Resolves once following (events published
 * from then on are delivered), or with `missing` when there is no stream.
 */
export async function watchCheckEvents(bus: Bus, o: CheckEventWatchOptions): Promise<StreamFollow | { missing: string }> {
  if (!bus.followStream) return { missing: 'this connection has no JetStream' };
  const now = o.now ?? Date.now;
  return bus.followStream(
    checkEventsStream(o.collective),
    checkEventsFilter(o.collective, o.identity),
    (m) => {
      const parsed = parseCheckEventSubject(o.collective, m.subject);
      // Cheap: events of nodes the filter leaves out are not even verified.
      if (parsed !== undefined && o.accept !== undefined && !o.accept(parsed.identity, parsed.check)) return;
      const e = verifyCheckEvent(o.collective, m.subject, m.data, o.trust, now());
      if (typeof e === 'string') o.onRefused?.(m.subject, e);
      else o.onEvent(e, m.time);
    },
    o.sinceMs === undefined ? {} : { sinceMs: o.sinceMs },
  );
}
