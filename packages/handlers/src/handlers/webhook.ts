import type { WebhookHandlerSpec } from '../config.js';
import { notificationPayload, type Notification } from '../notification.js';
import type { Handler } from './types.js';

/**
 * `type: webhook`: HTTP POST of the notification as JSON; any non-2xx answer
 * is a failure (retried with backoff). `X-Cohort-Delivery` (notification id
 * and handler) is the same on every try and after a restart, so a receiver
 * can drop the rare duplicate itself.
 */
export function webhookHandler(spec: WebhookHandlerSpec): Handler {
  return {
    name: spec.name,
    describe: `webhook ${spec.url}`,
    async send(n: Notification, signal: AbortSignal) {
      const res = await fetch(spec.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'cohort-handlers', 'x-cohort-delivery': `${n.id}/${spec.name}`, ...spec.headers },
        body: JSON.stringify(notificationPayload(n, spec.name)),
        signal,
      });
      // Read (and drop) the body so the connection is released.
      const text = await res.text().catch(() => '');
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
    },
    close() {},
  };
}
