import { KvWatchInclude, type KV, type NatsConnection } from 'nats';
import { errorMessage } from '@cohort/core';

/**
 * A key-value bucket with revisions over NATS JetStream, for features that
 * keep state on the bus (the provisioner's node states). Creates and updates
 * are compare-and-set on a key's revision. Part of the bus: everything else
 * sees the KeyValueBucket interface.
 */

/** A stored value and the revision it was read at. */
export interface KeyValueEntry {
  readonly value: Uint8Array;
  readonly revision: number;
}

export interface KeyValueBucket {
  /** The latest value of `key`; undefined when absent or deleted. */
  get(key: string): Promise<KeyValueEntry | undefined>;
  /** Store `key` when it has no value; undefined when one appeared meanwhile. */
  create(key: string, value: Uint8Array): Promise<number | undefined>;
  /** Replace the value last read at `revision`; undefined when someone else wrote since. */
  update(key: string, value: Uint8Array, revision: number): Promise<number | undefined>;
  /** Every key with a value. */
  keys(): Promise<string[]>;
  /** Forget `key` and its history. */
  purge(key: string): Promise<void>;
  /** Every later write (not the current values) until stopped. */
  watch(onPut: (key: string, entry: KeyValueEntry) => void): Promise<{ stop(): void }>;
}

export interface KeyValueOptions {
  /** Create the bucket when missing (with `history` values per key); else it must exist. */
  create: boolean;
  /** Values kept per key when creating (default 1). */
  history?: number;
  /** Milliseconds to wait for JetStream (default 5000). */
  timeoutMs?: number;
}

/** A compare-and-set conflict (somebody wrote the key since we read it). */
function isConflict(err: unknown): boolean {
  return /wrong last sequence|key exists|10071/i.test(errorMessage(err));
}

/**
 * Open bucket `name`. Rejects when there is no JetStream, or (without
 * `create`) when the bucket does not exist: the error's message says which
 * (`no responders` / `not found`), for the caller to explain in its terms.
 */
export async function openKeyValue(nc: NatsConnection, name: string, options: KeyValueOptions): Promise<KeyValueBucket> {
  const timeout = options.timeoutMs ?? 5000;
  // Binding does not check the bucket exists: ask, so callers can say so.
  if (!options.create) await (await nc.jetstreamManager({ timeout })).streams.info(`KV_${name}`);
  const kv: KV = await nc.jetstream({ timeout }).views.kv(name, options.create ? { history: options.history ?? 1 } : { bindOnly: true });
  const casOrUndefined = async (write: () => Promise<number>): Promise<number | undefined> => {
    try {
      return await write();
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  };
  return {
    async get(key) {
      const e = await kv.get(key);
      return e && e.operation === 'PUT' ? { value: e.value, revision: e.revision } : undefined;
    },
    create: (key, value) => casOrUndefined(() => kv.create(key, value)),
    update: (key, value, revision) => casOrUndefined(() => kv.update(key, value, revision)),
    async keys() {
      const out: string[] = [];
      for await (const k of await kv.keys()) out.push(k);
      return out;
    },
    async purge(key) {
      await kv.purge(key);
    },
    async watch(onPut) {
      const iterator = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
      void (async () => {
        for await (const e of iterator) if (e.operation === 'PUT') onPut(e.key, { value: e.value, revision: e.revision });
      })().catch(() => undefined);
      return { stop: () => iterator.stop() };
    },
  };
}
