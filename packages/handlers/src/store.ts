import type { TrackedCheck } from './tracker.js';

/**
 * Where the service keeps what must survive a restart (a JetStream key-value
 * bucket in production, see bus.ts; a map in unit tests).
 */

/** How far one (notification, handler) delivery got. */
export type DeliveryStatus =
  /** About to call the handler (written before the first try). */
  | 'sending'
  /** A try failed and the next waits (or the service stopped between tries): not delivered. */
  | 'retrying'
  /** The handler took it (SMTP 250, HTTP 2xx, exit 0). */
  | 'sent'
  /** Every try failed; given up. */
  | 'failed'
  /** Found `sending` after a restart with `on_interrupted: skip`. */
  | 'skipped';

export interface DeliveryRecord {
  readonly notification: string;
  readonly handler: string;
  readonly status: DeliveryStatus;
  /** Unix ms of this status. */
  readonly time: number;
  readonly tries: number;
  readonly error?: string;
}

export interface DeliveryStore {
  get(notification: string, handler: string): Promise<DeliveryRecord | undefined>;
  put(record: DeliveryRecord): Promise<void>;
}

/** The tracked state per (node, check). */
export interface TrackStore {
  list(): Promise<TrackedCheck[]>;
  put(record: TrackedCheck): Promise<void>;
}

/** In-memory stores (unit tests; a service without persistence). */
export function memoryStores(): { deliveries: DeliveryStore & { all(): DeliveryRecord[] }; tracks: TrackStore } {
  const d = new Map<string, DeliveryRecord>();
  const t = new Map<string, TrackedCheck>();
  return {
    deliveries: {
      get: async (n, h) => d.get(`${n}/${h}`),
      put: async (r) => void d.set(`${r.notification}/${r.handler}`, r),
      all: () => [...d.values()],
    },
    tracks: {
      list: async () => [...t.values()],
      put: async (r) => void t.set(`${r.check}/${r.identity}`, r),
    },
  };
}
