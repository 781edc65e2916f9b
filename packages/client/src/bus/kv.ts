import type { NatsConnection } from 'nats';
import { errorMessage } from '@cohort/core';
import { natsErrorCode, noJetStreamReason } from './nats-errors.js';

/**
 * Reading a key-value bucket (the registry) over NATS JetStream. Like bus.ts,
 * this is NATS-aware; everything else sees the BucketEntry/BucketWatch types.
 */

/** One change to a bucket. */
export interface BucketEntry {
  key: string;
  value: Uint8Array;
  operation: 'PUT' | 'DEL' | 'PURGE';
  /** When the server stored it, unix ms (the server's clock decides expiry). */
  created: number;
}

/** A running watch: the initial values have been delivered; later changes keep arriving until stop(). */
export interface BucketWatch {
  /** The bucket's max age in milliseconds (records older than this are gone); 0 when unlimited. */
  readonly maxAgeMs: number;
  /** Stop watching and delete the server-side consumer now (not when it times out). */
  stop(): Promise<void>;
}

/** Why a bucket cannot be read: it does not exist, or the server has no JetStream. */
export interface BucketMissing {
  readonly missing: string;
}

const notFound = /stream not found|not found/i;

/**
 * Watch bucket `name`: `onEntry` gets the latest value of every key, then
 * every later change. Resolves once the initial values are delivered, or with
 * BucketMissing (never rejects for a missing bucket or JetStream; rejects for
 * other failures, e.g. a timeout).
 */
export async function watchKvBucket(
  nc: NatsConnection,
  name: string,
  onEntry: (entry: BucketEntry) => void,
  timeoutMs = 2000,
): Promise<BucketWatch | BucketMissing> {
  const jsm = await nc.jetstreamManager({ checkAPI: false, timeout: timeoutMs });
  const kv = await nc.jetstream({ checkAPI: false, timeout: timeoutMs }).views.kv(name, { bindOnly: true });
  let initialised!: () => void;
  const ready = new Promise<void>((resolve) => (initialised = resolve));
  // The stream's info (does the bucket exist, its max age) and the watch's consumer are asked for
  // at once: one round trip to the server instead of two before the first entry arrives.
  const watching = kv.watch({ initializedFn: () => initialised() });
  watching.catch(() => undefined); // awaited below, unless the info says there is no bucket
  let maxAgeNanos: number;
  try {
    const info = await jsm.streams.info(`KV_${name}`);
    maxAgeNanos = info.config.max_age;
  } catch (err) {
    // No bucket (or no JetStream): the watch fails too, or watches nothing; either way it goes.
    void watching.then(stopWatch, () => undefined);
    if (natsErrorCode(err) === '503' || /no responders/i.test(errorMessage(err))) return { missing: noJetStreamReason };
    if (notFound.test(errorMessage(err))) return { missing: `there is no registry bucket ${name} (no node has registered in this collective)` };
    throw err;
  }
  const iterator = await watching;
  void (async () => {
    for await (const e of iterator) onEntry({ key: e.key, value: e.value, operation: e.operation, created: e.created.getTime() });
  })()
    .catch(() => undefined)
    .finally(() => initialised());
  await ready;
  return {
    maxAgeMs: Math.floor(maxAgeNanos / 1e6),
    stop: () => stopWatch(iterator),
  };
}

/**
 * Stop a watch now. Its ephemeral consumer would otherwise linger on the
 * server for its inactivity threshold after every CLI run. nats.js keeps
 * the subscription on the iterator; destroy() deletes the consumer.
 */
async function stopWatch(iterator: { stop(): void }): Promise<void> {
  const sub: unknown = Reflect.get(iterator, '_data');
  if (isDestroyable(sub)) await sub.destroy().catch(() => undefined);
  iterator.stop();
}

function isDestroyable(v: unknown): v is { destroy(): Promise<void> } {
  return typeof v === 'object' && v !== null && typeof (v as { destroy?: unknown }).destroy === 'function';
}
