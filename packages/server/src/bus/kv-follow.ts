import type { NatsConnection } from 'nats';
import { errorMessage } from '@cohort/core';
import type { BucketWatcher } from './mine-watch.js';

/** A change in a followed bucket: a value, or its removal (`value` undefined). */
export interface FollowedEntry {
  readonly key: string;
  readonly value: Uint8Array | undefined;
  /** When the server stored it (unix ms, the server's clock). */
  readonly created: number;
}

/** A running follow: the bucket's max age (0 = none; entries older than it are gone without a notice). */
export interface BucketFollow extends BucketWatcher {
  readonly maxAgeMs: number;
}

/**
 * Follow an existing bucket (the registry, a key-value bucket of `cohort kv`)
 * without creating it: the latest value of every key, then every change,
 * pushed by the server. Resolves once the current values are delivered, or with `{ missing }` when there is no such
 * bucket (the caller tries again later). The only NATS-aware part of the
 * node's templates.
 */
export async function followBucket(
  nc: NatsConnection,
  name: string,
  onEntry: (entry: FollowedEntry) => void,
  onError: (err: unknown) => void,
): Promise<BucketFollow | { missing: string }> {
  const jsm = await nc.jetstreamManager({ checkAPI: false, timeout: 5000 });
  let maxAgeNanos = 0;
  try {
    maxAgeNanos = (await jsm.streams.info(`KV_${name}`)).config.max_age;
  } catch (err) {
    const m = errorMessage(err);
    if (/not found/i.test(m)) return { missing: `there is no bucket ${name} yet` };
    if (/no responders|503/i.test(m)) return { missing: 'the NATS server has no JetStream' };
    throw err;
  }
  const kv = await nc.jetstream({ checkAPI: false, timeout: 5000 }).views.kv(name, { bindOnly: true });
  let initialised!: () => void;
  const ready = new Promise<void>((resolve) => (initialised = resolve));
  const iterator = await kv.watch({ initializedFn: () => initialised() });
  void (async () => {
    for await (const e of iterator) {
      try {
        onEntry({ key: e.key, value: e.operation === 'PUT' ? e.value : undefined, created: e.created.getTime() });
      } catch (err) {
        onError(new Error(`${name}: handling ${e.key}: ${errorMessage(err)}`));
      }
    }
  })()
    .catch((err: unknown) => onError(new Error(`following ${name}: ${errorMessage(err)}`)))
    .finally(() => initialised());
  // Resolves once the current values are delivered (a render then sees them all).
  await ready;
  return { maxAgeMs: Math.floor(maxAgeNanos / 1e6), stop: () => iterator.stop() };
}
