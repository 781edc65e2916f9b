import { Empty, type NatsConnection } from 'nats';
import { errorMessage } from '@cohort/core';
import { apiPrefix, parseApiAnswer, readKvLatest } from './kv-latest.js';
import { isNoJetStream, noJetStreamReason } from './nats-errors.js';

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

/** A bucket read once (readKvBucketOnce): its values were delivered; nothing keeps watching. */
export interface BucketRead {
  /** The bucket's max age in milliseconds (records older than this are gone); 0 when unlimited. */
  readonly maxAgeMs: number;
}

/** A running watch: the initial values have been delivered; later changes keep arriving until stop(). */
export interface BucketWatch extends BucketRead {
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
    if (isNoJetStream(err)) return { missing: noJetStreamReason };
    if (notFound.test(errorMessage(err))) return { missing: missingBucket(name) };
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
 * Read bucket `name`'s latest values once, for a client that does not stay
 * (the CLI): `onEntry` gets every key's latest value (a deleted key as `DEL`),
 * then the promise resolves; nothing is left watching. The one-request read
 * of kv-latest.ts, with the stream's info (for the max age) asked for at the
 * same time: two requests in one round trip, where the watch makes three and
 * runs every value through nats.js' consumer machinery (a 250-node registry
 * in a new process: ~22 against ~37 ms; docs/performance.md). BucketMissing
 * as for watchKvBucket.
 */
export async function readKvBucketOnce(
  nc: NatsConnection,
  inboxPrefix: string | undefined,
  name: string,
  onEntry: (entry: BucketEntry) => void,
  timeoutMs = 2000,
): Promise<BucketRead | BucketMissing> {
  const info = bucketMaxAge(nc, name, timeoutMs);
  info.catch(() => undefined); // awaited below, after the read
  const read = await readKvLatest(nc, inboxPrefix, name, '>', (e) =>
    onEntry({ key: e.key, value: e.value ?? new Uint8Array(0), operation: e.value === undefined ? 'DEL' : 'PUT', created: e.created }),
  );
  const maxAge = await info;
  if (typeof maxAge !== 'number') return maxAge;
  // The stream was there when its info was asked for: a read that found none raced with its deletion.
  if (read !== undefined) return { missing: missingBucket(name) };
  return { maxAgeMs: maxAge };
}

/** Bucket `name`'s max age in ms (its stream's info, one request), or why there is none. */
async function bucketMaxAge(nc: NatsConnection, name: string, timeoutMs: number): Promise<number | BucketMissing> {
  const stream = `KV_${name}`;
  let answer;
  try {
    answer = parseApiAnswer<{ config?: { max_age?: number } }>((await nc.request(`${apiPrefix}.STREAM.INFO.${stream}`, Empty, { timeout: timeoutMs })).data);
  } catch (err) {
    if (isNoJetStream(err)) return { missing: noJetStreamReason };
    throw err;
  }
  if (answer.error !== undefined) {
    if (answer.error.code === 404 || notFound.test(answer.error.description)) return { missing: missingBucket(name) };
    throw new Error(`reading ${stream}'s info: ${answer.error.description} (${answer.error.code})`);
  }
  return Math.floor((answer.config?.max_age ?? 0) / 1e6);
}

const missingBucket = (name: string): string => `there is no registry bucket ${name} (no node has registered in this collective)`;

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
