import type { NatsConnection } from 'nats';
import { bucketCreateError, errorMessage } from '@cohort/core';

/** A change in a watched bucket: a value, or its removal (`value` undefined). */
export interface WatchedEntry {
  readonly key: string;
  readonly value: Uint8Array | undefined;
}

/** A running bucket watch. */
export interface BucketWatcher {
  stop(): void;
}

/**
 * Watch bucket `name` (created with history 1 when missing): `onEntry` gets
 * the latest value of every key, then every change, pushed by the server (no
 * polling). The only NATS-aware part of the node's mine.
 */
export async function watchBucket(nc: NatsConnection, name: string, onEntry: (entry: WatchedEntry) => void, onError: (err: unknown) => void, history = 1): Promise<BucketWatcher> {
  let kv;
  try {
    kv = await nc.jetstream({ timeout: 10_000 }).views.kv(name, { history });
  } catch (err) {
    throw bucketCreateError(err, name);
  }
  const iterator = await kv.watch();
  void (async () => {
    for await (const e of iterator) {
      // One bad entry must not end the watch.
      try {
        onEntry({ key: e.key, value: e.operation === 'PUT' ? e.value : undefined });
      } catch (err) {
        onError(new Error(`${name}: handling ${e.key}: ${errorMessage(err)}`));
      }
    }
  })().catch((err: unknown) => onError(new Error(`watching ${name}: ${errorMessage(err)}`)));
  return { stop: () => iterator.stop() };
}
