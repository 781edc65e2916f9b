import { lifecycleWatchSubject, readLifecycle, type LifecycleMessage, type TrustStore } from '@cohort/core';
import type { Bus } from '../bus.js';

/** A running lifecycle watch. */
export interface LifecycleWatch {
  /** Events that did not decode or (with trust) did not verify, skipped. */
  invalid(): number;
  /** The reason the last one was skipped. */
  lastInvalid(): string | undefined;
  stop(): void;
}

/**
 * Watch the lifecycle events (`startup`, `shutdown`) of every node in
 * `collective`. With `trust`, only events signed by a trusted key of the
 * node they name (and at most five minutes old) are passed on; without, the
 * events are unverified hints (`verified` false). Invalid messages are
 * counted and skipped.
 */
export function watchLifecycle(bus: Bus, collective: string, onEvent: (event: LifecycleMessage, verified: boolean) => void, trust?: TrustStore): LifecycleWatch {
  let invalid = 0;
  let last: string | undefined;
  const sub = bus.subscribe(lifecycleWatchSubject(collective), (bytes) => {
    const reading = readLifecycle(bytes, undefined, trust, Date.now());
    if ('ignored' in reading) {
      invalid++;
      last = reading.ignored;
      return;
    }
    onEvent(reading.event, reading.verified);
  });
  return { invalid: () => invalid, lastInvalid: () => last, stop: () => sub.unsubscribe() };
}
