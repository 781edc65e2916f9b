import { errorMessage } from '@cohort/core';
import { withRetries, type Time } from '@cohort/provisioner';
import type { HandlerSpec } from './config.js';
import type { Handler } from './handlers/types.js';
import type { HandlersLog } from './log.js';
import type { Notification } from './notification.js';
import type { DeliveryStore } from './store.js';

/**
 * One (notification, handler) delivery, at most once per id and handler
 * across restarts: the record says `sending` before the first try and `sent`
 * after the handler took it. What remains is the window between the
 * handler's acceptance (SMTP 250, HTTP 2xx, exit 0) and the `sent` record
 * (one key-value write, ~1 ms): a service killed right there finds
 * `sending` on restart and, by the handler's `on_interrupted`, sends again
 * (`resend`, the default: nothing is lost, rarely one duplicate, which
 * webhook receivers can drop by the X-Cohort-Delivery header) or records it
 * as `skipped` (never a duplicate, rarely one lost).
 */

export type DeliveryOutcome = 'sent' | 'before' | 'failed' | 'skipped' | 'stopped';

export interface DeliveryDeps {
  readonly store: DeliveryStore;
  readonly log: HandlersLog;
  readonly time: Time;
  /** Aborts on shutdown: the running try finishes, no further try starts. */
  readonly stopping: AbortSignal;
}

export async function deliver(n: Notification, handler: Handler, spec: HandlerSpec, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const { store, log, time } = deps;
  const what = `${n.kind} ${n.id} to ${handler.name}`;
  const before = await store.get(n.id, handler.name);
  if (before && (before.status === 'sent' || before.status === 'failed' || before.status === 'skipped')) {
    log.debug(`${what}: ${before.status} already, not again`);
    return 'before';
  }
  let tries = before?.tries ?? 0;
  if (before?.status === 'sending') {
    if (spec.onInterrupted === 'skip') {
      await store.put({ notification: n.id, handler: handler.name, status: 'skipped', time: time.now(), tries });
      log.warn(`${what}: the service stopped while handling it (it may or may not have been delivered); not sent again (on_interrupted: skip)`);
      return 'skipped';
    }
    log.warn(`${what}: the service stopped while handling it (it may or may not have been delivered); sending again (on_interrupted: resend)`);
  }
  try {
    await withRetries(
      async () => {
        tries++;
        await store.put({ notification: n.id, handler: handler.name, status: 'sending', time: time.now(), tries });
        try {
          await handler.send(n, AbortSignal.timeout(spec.timeoutMs));
        } catch (err) {
          await store.put({ notification: n.id, handler: handler.name, status: 'retrying', time: time.now(), tries, error: errorMessage(err) });
          throw err;
        }
      },
      {
        retries: spec.retries,
        initialMs: spec.backoff.initialMs,
        maxMs: spec.backoff.maxMs,
        time,
        signal: deps.stopping,
        onRetry: (err, next, wait) => log.warn(`${what} failed (${handler.describe}): ${errorMessage(err)}; try ${next} in ${wait / 1000} s`),
      },
    );
  } catch (err) {
    if (deps.stopping.aborted) {
      log.warn(`${what}: not delivered before the shutdown (${errorMessage(err)}); tried again after the restart`);
      return 'stopped';
    }
    await store.put({ notification: n.id, handler: handler.name, status: 'failed', time: time.now(), tries, error: errorMessage(err) });
    log.error(`${what} failed after ${tries} tries (${handler.describe}): ${errorMessage(err)}; given up`);
    return 'failed';
  }
  await store.put({ notification: n.id, handler: handler.name, status: 'sent', time: time.now(), tries });
  log.info(`${n.kind === 'change' ? 'notified' : n.kind} ${handler.name}: ${n.event.identity} ${n.event.check} ${n.event.state} (${n.id})`);
  return 'sent';
}
