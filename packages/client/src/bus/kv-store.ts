import { KvWatchInclude, type KV, type KvEntry, type NatsConnection } from 'nats';
import { bucketCreateError, errorMessage, isPermissionDenied } from '@cohort/core';
import type { BucketMissing } from './kv.js';
import { noJetStreamReason } from './nats-errors.js';

/**
 * A user-facing key-value bucket (`cohort kv`) over NATS JetStream: values
 * with revisions and history. The only NATS-aware part of the key-value
 * store; everything else sees KvStore.
 */

/** One revision of a key: a value, or a delete/purge marker. */
export interface KvRevision {
  readonly key: string;
  /** Empty for DEL and PURGE. */
  readonly value: Uint8Array;
  readonly revision: number;
  readonly operation: 'PUT' | 'DEL' | 'PURGE';
  /** When the server stored it (unix ms). */
  readonly created: number;
}

export interface KvStoreStatus {
  readonly bucket: string;
  readonly history: number;
  readonly replicas: number;
  /** Stored revisions (all keys). */
  readonly values: number;
}

export interface KvStore {
  readonly bucket: string;
  put(key: string, value: Uint8Array): Promise<number>;
  /** The latest revision of `key` (a DEL/PURGE marker when deleted); undefined when never written. */
  get(key: string): Promise<KvRevision | undefined>;
  /** Delete (keeps history) or purge (drops it). */
  delete(key: string, purge: boolean): Promise<void>;
  /** Keys with a value, matching `filter` (default `>`). */
  keys(filter?: string): Promise<string[]>;
  /** Every kept revision of `key`, oldest first. */
  history(key: string): Promise<KvRevision[]>;
  /** Changes of keys matching `filter`: with `initial`, the current values first; until stop(). */
  watch(filter: string, initial: boolean, onChange: (r: KvRevision) => void): Promise<{ stop(): Promise<void> }>;
  status(): Promise<KvStoreStatus>;
}

export interface KvStoreOptions {
  /** Create the bucket when missing, with these settings; without, a missing bucket is BucketMissing. */
  create?: { history: number; replicas: number; maxValueBytes: number };
  timeoutMs?: number;
}

function revisionOf(e: KvEntry): KvRevision {
  return { key: e.key, value: e.operation === 'PUT' ? e.value : new Uint8Array(), revision: e.revision, operation: e.operation, created: e.created.getTime() };
}

function isDestroyable(v: unknown): v is { destroy(): Promise<void> } {
  return typeof v === 'object' && v !== null && typeof (v as { destroy?: unknown }).destroy === 'function';
}

/** Say what a NATS failure means for a key-value call (permissions above all). */
export function kvFailure(err: unknown, what: string, bucket: string): Error {
  const m = errorMessage(err);
  if (/permissions? violation|authorization/i.test(m)) {
    return new Error(`${what} (bucket ${bucket}) was refused by the NATS server: this NATS user has no permission for it (${m}); see "Key-value store" in docs/service-discovery.md for the subjects to allow`, { cause: err });
  }
  if (/no responders|503/i.test(m)) return new Error(`${what} (bucket ${bucket}) failed: the NATS server has no JetStream (start it with -js)`, { cause: err });
  if (/timeout/i.test(m)) return new Error(`${what} (bucket ${bucket}) timed out: JetStream did not answer (is this NATS user allowed to use the bucket?)`, { cause: err });
  return new Error(`${what} (bucket ${bucket}) failed: ${m}`, { cause: err });
}

/**
 * Open bucket `name`: BucketMissing when it does not exist and `create` is
 * not given (or there is no JetStream).
 */
export async function openKvStore(nc: NatsConnection, name: string, options: KvStoreOptions = {}): Promise<KvStore | BucketMissing> {
  const timeout = options.timeoutMs ?? 5000;
  const jsm = await nc.jetstreamManager({ checkAPI: false, timeout });
  let exists = true;
  try {
    await jsm.streams.info(`KV_${name}`);
  } catch (err) {
    const m = errorMessage(err);
    if (/no responders|503/i.test(m)) return { missing: noJetStreamReason };
    if (!/not found/i.test(m)) throw kvFailure(err, 'opening the bucket', name);
    exists = false;
  }
  if (!exists && !options.create) return { missing: `there is no key-value bucket ${name} (it is created by the first cohort kv put)` };
  const js = nc.jetstream({ checkAPI: false, timeout });
  let kv: KV;
  try {
    kv = exists
      ? await js.views.kv(name, { bindOnly: true })
      : await js.views.kv(name, { history: options.create!.history, replicas: options.create!.replicas, maxValueSize: options.create!.maxValueBytes });
  } catch (err) {
    if (!exists && isPermissionDenied(err)) throw bucketCreateError(err, name);
    throw kvFailure(err, exists ? 'opening the bucket' : 'creating the bucket', name);
  }
  const call = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      throw kvFailure(err, what, name);
    }
  };
  return {
    bucket: name,
    put: (key, value) => call(`writing ${key}`, () => kv.put(key, value)),
    get: (key) =>
      call(`reading ${key}`, async () => {
        const e = await kv.get(key);
        return e ? revisionOf(e) : undefined;
      }),
    delete: (key, purge) => call(`deleting ${key}`, () => (purge ? kv.purge(key) : kv.delete(key))),
    keys: (filter = '>') =>
      call('listing keys', async () => {
        const out: string[] = [];
        for await (const k of await kv.keys(filter)) out.push(k);
        return out.sort();
      }),
    history: (key) =>
      call(`reading the history of ${key}`, async () => {
        const out: KvRevision[] = [];
        for await (const e of await kv.history({ key })) out.push(revisionOf(e));
        return out;
      }),
    watch: (filter, initial, onChange) =>
      call(`watching ${filter}`, async () => {
        const iterator = await kv.watch({ key: filter, include: initial ? KvWatchInclude.LastValue : KvWatchInclude.UpdatesOnly });
        void (async () => {
          for await (const e of iterator) onChange(revisionOf(e));
        })().catch(() => undefined);
        return {
          async stop() {
            const sub: unknown = Reflect.get(iterator, '_data');
            if (isDestroyable(sub)) await sub.destroy().catch(() => undefined);
            iterator.stop();
          },
        };
      }),
    status: () =>
      call('reading the bucket status', async () => {
        const s = await kv.status();
        return { bucket: name, history: s.history, replicas: s.replicas, values: s.values };
      }),
  };
}
