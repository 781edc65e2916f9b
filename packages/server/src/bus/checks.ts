import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type KV, type NatsConnection } from 'nats';
import { bucketCreateError, busInitHint, checkEventsSpec, errorMessage, isPermissionDenied } from '@cohort/core';

/** What the node's checks need from the bus: their state bucket and the events stream (the only NATS-aware part of the checks). */
export interface ChecksBus {
  /** Put a value under `key` in key-value bucket `bucket` (created with history 1 when missing). */
  put(bucket: string, key: string, value: Uint8Array): Promise<void>;
  /** The value under `key`, or undefined. */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
  delete(bucket: string, key: string): Promise<void>;
  /** Publish a check event of `collective` into its events stream (created with bounded retention when missing); resolves when stored. `id`: the stream drops a second copy within its duplicate window (a retried publish). */
  publishEvent(collective: string, subject: string, value: Uint8Array, id: string): Promise<void>;
}

function notFound(err: unknown): boolean {
  return /stream not found/i.test(errorMessage(err));
}

/** Create the events stream of `collective` when it is missing: file storage, at most checkEventsMaxAgeSeconds old and checkEventsMaxMessages messages (oldest dropped). */
export async function ensureCheckEventsStream(jsm: JetStreamManager, collective: string): Promise<boolean> {
  const spec = checkEventsSpec(collective);
  const name = spec.name;
  try {
    await jsm.streams.info(name);
    return false;
  } catch (err) {
    if (!notFound(err)) throw err;
  }
  await jsm.streams.add({
    name,
    subjects: [...spec.subjects],
    max_age: spec.maxAgeSeconds * 1_000_000_000,
    max_msgs: spec.maxMessages,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    storage: StorageType.File,
  });
  return true;
}

/** The checks' bus on a NATS connection with JetStream. */
export function natsChecksBus(nc: NatsConnection): ChecksBus {
  const kvs = new Map<string, Promise<KV>>();
  const streams = new Map<string, Promise<void>>();
  let js: JetStreamClient | undefined;
  const kv = (bucket: string): Promise<KV> => {
    let p = kvs.get(bucket);
    if (p === undefined) {
      p = nc
        .jetstream()
        .views.kv(bucket, { history: 1 })
        .catch((err: unknown) => {
          kvs.delete(bucket);
          throw bucketCreateError(err, bucket);
        });
      kvs.set(bucket, p);
    }
    return p;
  };
  const stream = (collective: string): Promise<void> => {
    let p = streams.get(collective);
    if (p === undefined) {
      p = (async () => {
        try {
          await ensureCheckEventsStream(await nc.jetstreamManager(), collective);
        } catch (err) {
          // Least privilege: the node may publish into the stream but not look it up or create it; publishing says whether it exists.
          if (!isPermissionDenied(err)) throw err;
        }
      })().catch((err: unknown) => {
        streams.delete(collective);
        throw err;
      });
      streams.set(collective, p);
    }
    return p;
  };
  return {
    async put(bucket, key, value) {
      await (await kv(bucket)).put(key, value);
    },
    async get(bucket, key) {
      const e = await (await kv(bucket)).get(key);
      return e === null || e.operation !== 'PUT' ? undefined : e.value;
    },
    async delete(bucket, key) {
      await (await kv(bucket)).delete(key);
    },
    async publishEvent(collective, subject, value, id) {
      await stream(collective);
      js ??= nc.jetstream();
      try {
        await js.publish(subject, value, { msgID: id });
      } catch (err) {
        if (/no responders|503/i.test(errorMessage(err))) throw new Error(`the check events stream ${checkEventsSpec(collective).name} does not exist: ${busInitHint}`, { cause: err });
        throw err;
      }
    },
  };
}
