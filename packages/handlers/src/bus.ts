import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamManager,
  type KV,
  type NatsConnection,
} from 'nats';
import { createHash } from 'node:crypto';
import {
  checkEventsFilter,
  checkEventsMaxAgeSeconds,
  checkEventsMaxMessages,
  checkEventsStream,
  checkKey,
  CohortError,
  ConnectionError,
  errorMessage,
  serviceInboxPrefix,
  type BusAuth,
} from '@cohort/core';
import { natsAuthOptions } from '@cohort/core/nats-auth';
import type { DeliveryRecord, DeliveryStore, TrackStore } from './store.js';
import type { TrackedCheck } from './tracker.js';

/**
 * The only module of the handler service that talks to NATS: the durable
 * JetStream consumer of the collective's check events, and the two
 * key-value buckets (state per node and check; deliveries). Everything else
 * sees the small interfaces below, so unit tests hand the service fakes.
 */

/** One event from the stream, in hand until acked (or nak'ed). */
export interface EventMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Stream sequence. */
  readonly seq: number;
  /** How many times the server has delivered it (1: first time). */
  readonly deliveries: number;
  /** Done with it: the server confirmed, it is never delivered again. */
  ack(): Promise<void>;
  /** Give it back: delivered again (after `delayMs`). */
  nak(delayMs?: number): void;
  /** Still working on it: the server waits another ack_wait. */
  working(): void;
}

/** The events, one at a time: the next is delivered once the one in hand is acked (max_ack_pending 1, in order). */
export interface EventSource {
  readonly name: string;
  consume(onMessage: (m: EventMessage) => Promise<void>): Promise<{ stop(): Promise<void> }>;
}

export interface HandlersBus {
  readonly events: EventSource;
  readonly tracks: TrackStore;
  readonly deliveries: DeliveryStore;
  close(): Promise<void>;
}

export interface HandlersBusOptions {
  servers: readonly string[];
  auth?: BusAuth | undefined;
  collective: string;
  consumer: string;
  start: 'new' | 'all';
  ackWaitMs: number;
  bucket: string;
  connectTimeoutMs?: number;
  /** Milliseconds to wait for JetStream answers (default 5000). */
  timeoutMs?: number;
}

const nanos = 1_000_000;
/** Deliveries are remembered longer than the stream keeps events (a redelivery can never be older). */
const deliveryTtlMs = (checkEventsMaxAgeSeconds + 86_400) * 1000;

function noJetStream(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return code === '503' || /no responders|jetstream not enabled/i.test(errorMessage(err));
}

/** Connect, make sure the stream, the consumer and the buckets exist. Throws ConnectionError / CohortError JETSTREAM saying what is missing. */
export async function connectHandlersBus(o: HandlersBusOptions): Promise<HandlersBus> {
  const servers = [...o.servers];
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      timeout: o.connectTimeoutMs ?? 2000,
      name: `cohort-handlers ${o.consumer}`,
      // Its own inboxes only (a broker ACL grants `_INBOX.service.handlers.>`, not every caller's replies).
      inboxPrefix: serviceInboxPrefix('handlers'),
      noRandomize: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...natsAuthOptions(o.auth),
    });
  } catch (err) {
    throw new ConnectionError(servers, `cannot connect to NATS at ${servers.join(', ')}: ${errorMessage(err)}`, { cause: err });
  }
  const timeout = o.timeoutMs ?? 5000;
  try {
    const jsm = await nc.jetstreamManager({ timeout });
    const stream = checkEventsStream(o.collective);
    await ensureStream(jsm, stream, o.collective);
    await ensureConsumer(jsm, stream, o);
    const js = nc.jetstream({ timeout });
    const tracksKv = await js.views.kv(o.bucket, { history: 1 });
    const deliveriesKv = await js.views.kv(`${o.bucket}_delivery`, { history: 1, ttl: deliveryTtlMs });
    return {
      events: eventSource(nc, stream, o),
      tracks: trackStore(tracksKv),
      deliveries: deliveryStore(deliveriesKv),
      close: async () => {
        if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
      },
    };
  } catch (err) {
    await nc.close().catch(() => undefined);
    if (err instanceof CohortError) throw err;
    const why = noJetStream(err) ? 'the NATS server has no JetStream (start it with -js, or jetstream {} in its config)' : errorMessage(err);
    throw new CohortError('JETSTREAM', `cannot set up the check events consumer ${o.consumer} and buckets ${o.bucket}: ${why}`, { cause: err });
  }
}

/** The events stream as the nodes make it (limits from the contract); an existing one is used as it is. */
async function ensureStream(jsm: JetStreamManager, name: string, collective: string): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (err) {
    if (!/stream not found/i.test(errorMessage(err))) throw err;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [checkEventsFilter(collective)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: checkEventsMaxAgeSeconds * 1e9,
      max_msgs: checkEventsMaxMessages,
      num_replicas: 1,
    });
  } catch (err) {
    // A node (or another service) made it meanwhile.
    if (!/already in use|exists/i.test(errorMessage(err))) throw err;
  }
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, o: HandlersBusOptions): Promise<void> {
  const config = {
    durable_name: o.consumer,
    ack_policy: AckPolicy.Explicit,
    filter_subject: checkEventsFilter(o.collective),
    ack_wait: o.ackWaitMs * nanos,
    max_ack_pending: 1,
    max_deliver: -1,
  };
  let exists = false;
  try {
    await jsm.consumers.info(stream, o.consumer);
    exists = true;
  } catch (err) {
    if (!/consumer not found/i.test(errorMessage(err))) throw err;
  }
  if (exists) {
    await jsm.consumers.update(stream, o.consumer, { ack_wait: config.ack_wait, max_ack_pending: 1, max_deliver: -1 });
    return;
  }
  await jsm.consumers.add(stream, { ...config, deliver_policy: o.start === 'all' ? DeliverPolicy.All : DeliverPolicy.New });
}

function eventSource(nc: NatsConnection, stream: string, o: HandlersBusOptions): EventSource {
  return {
    name: `${stream}/${o.consumer}`,
    async consume(onMessage) {
      const consumer = await nc.jetstream().consumers.get(stream, o.consumer);
      const messages: ConsumerMessages = await consumer.consume({ max_messages: 1 });
      const loop = (async () => {
        for await (const m of messages) {
          await onMessage({
            subject: m.subject,
            data: m.data,
            seq: m.seq,
            deliveries: m.info.deliveryCount,
            ack: async () => {
              await m.ackAck();
            },
            nak: (delayMs) => m.nak(delayMs),
            working: () => m.working(),
          });
        }
      })();
      return {
        async stop() {
          await messages.close().catch(() => undefined);
          await loop.catch(() => undefined);
        },
      };
    },
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function trackStore(kv: KV): TrackStore {
  return {
    async list() {
      const out: TrackedCheck[] = [];
      for await (const key of await kv.keys()) {
        const e = await kv.get(key);
        if (!e || e.operation !== 'PUT') continue;
        try {
          out.push(JSON.parse(decoder.decode(e.value)) as TrackedCheck);
        } catch {
          // Not ours; ignored.
        }
      }
      return out;
    },
    async put(r) {
      await kv.put(checkKey(r.check, r.identity), encoder.encode(JSON.stringify(r)));
    },
  };
}

/** Delivery keys: a hash of the notification id (ids hold characters keys may not) and the handler name. */
export function deliveryKey(notification: string, handler: string): string {
  return `${createHash('sha256').update(notification).digest('hex').slice(0, 40)}.${handler}`;
}

function deliveryStore(kv: KV): DeliveryStore {
  return {
    async get(notification, handler) {
      const e = await kv.get(deliveryKey(notification, handler));
      if (!e || e.operation !== 'PUT') return undefined;
      const r = JSON.parse(decoder.decode(e.value)) as DeliveryRecord;
      return r.notification === notification ? r : undefined;
    },
    async put(r) {
      await kv.put(deliveryKey(r.notification, r.handler), encoder.encode(JSON.stringify(r)));
    },
  };
}
