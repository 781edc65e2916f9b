import { errorMessage } from '@cohort/core';
import type { ProvisionerLog } from '../log.js';
import type { NotifyEventName } from '../pipeline-notify.js';
import type { ProvisionEvent } from './event.js';

/** One configured notifier. */
export interface Notifier {
  /** `webhook https://hooks.example.net/provisioned`, for the log. */
  readonly name: string;
  readonly events: readonly NotifyEventName[];
  /** Deliver one event; rejects when it could not (the caller logs it). */
  send(event: ProvisionEvent): Promise<void>;
}

/** How long one notifier may take before it is given up on (it may still finish in the background). */
export const notifyDeadlineMs = 60_000;

/**
 * Tell every notifier that wants this event, all at once. A notifier that
 * fails (or hangs) is logged and never blocks the pipeline: this resolves
 * with the names of those that failed, and never rejects.
 */
export async function notifyAll(notifiers: readonly Notifier[], event: ProvisionEvent, log: ProvisionerLog, deadlineMs = notifyDeadlineMs): Promise<string[]> {
  const failed: string[] = [];
  await Promise.all(
    notifiers
      .filter((n) => n.events.includes(event.event))
      .map(async (n) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`gave up after ${deadlineMs / 1000} s`)), deadlineMs);
          timer.unref();
        });
        try {
          await Promise.race([n.send(event), timeout]);
        } catch (err) {
          failed.push(n.name);
          log.warn(`notifier ${n.name} failed for ${event.identity} (${event.event}): ${errorMessage(err)}`);
        } finally {
          clearTimeout(timer);
        }
      }),
  );
  return failed;
}
