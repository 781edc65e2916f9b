import { decodeLifecycle, lifecycleWatchSubject, type LifecycleMessage } from '@cohort/core';
import type { Bus } from '../bus.js';

/** A running lifecycle watch. */
export interface LifecycleWatch {
  /** Events that did not decode, skipped. */
  invalid(): number;
  stop(): void;
}

/**
 * Watch the lifecycle events (`startup`, `shutdown`) of every node in
 * `collective`. Invalid messages are counted and skipped.
 */
export function watchLifecycle(bus: Bus, collective: string, onEvent: (event: LifecycleMessage) => void): LifecycleWatch {
  let invalid = 0;
  const sub = bus.subscribe(lifecycleWatchSubject(collective), (bytes) => {
    let event: LifecycleMessage;
    try {
      event = decodeLifecycle(bytes);
    } catch {
      invalid++;
      return;
    }
    onEvent(event);
  });
  return { invalid: () => invalid, stop: () => sub.unsubscribe() };
}
