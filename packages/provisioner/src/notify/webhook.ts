import type { WebhookNotifierSpec } from '../pipeline-notify.js';
import type { Notifier } from './notifier.js';

/** `type: webhook`: HTTP POST of the event as JSON (Node's fetch); any non-2xx answer is a failure. */
export function webhookNotifier(spec: WebhookNotifierSpec): Notifier {
  const timeoutMs = (spec.timeout ?? 10) * 1000;
  return {
    name: `webhook ${spec.url}`,
    events: spec.events ?? ['provisioned', 'failed'],
    async send(event) {
      const res = await fetch(spec.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'cohort-provisioner', ...(spec.headers ?? {}) },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Read (and drop) the body so the connection is released.
      const text = await res.text().catch(() => '');
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
    },
  };
}
