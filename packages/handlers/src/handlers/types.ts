import type { Notification } from '../notification.js';

/** One configured handler: delivers a notification once per call (the service retries and deduplicates). */
export interface Handler {
  readonly name: string;
  /** `webhook https://hooks.example.net/x`, for the log. */
  readonly describe: string;
  /** One try; rejects when it was not delivered. `signal` aborts at the try's timeout. */
  send(n: Notification, signal: AbortSignal): Promise<void>;
  close(): void;
}
