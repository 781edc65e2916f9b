import { CohortError, errorMessage, registryKey, identityFromRegistryKey, type BusAuth } from '@cohort/core';
import { connectBus, type Bus, type KeyValueBucket, type KeyValueEntry } from '@cohort/client';
import { decodeRecord, encodeRecord, type StateEntry, type StateStore } from './state-store.js';

/**
 * The state store on a key-value bucket of the bus (NATS JetStream): one key
 * per node (its identity, escaped like registry keys), history 5, no expiry.
 * Creates and updates are compare-and-set on the key's revision, which is
 * what keeps two provisioners off the same node.
 */

export interface KvStateOptions {
  servers: readonly string[];
  auth?: BusAuth;
  bucket: string;
  /** Milliseconds to wait for NATS and JetStream (default 5000). */
  timeoutMs?: number;
  /** Create the bucket when missing (run: yes; status/retry: no). */
  create: boolean;
}

/** Connect and open (or create) the bucket. Throws ConnectionError when NATS is not there, CohortError STATE_STORE without JetStream or bucket. */
export async function openKvStateStore(options: KvStateOptions): Promise<StateStore> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const bus = await connectBus({ servers: options.servers, auth: options.auth, connectTimeoutMs: timeoutMs, name: 'cohort-provisioner state' });
  let kv: KeyValueBucket;
  try {
    if (!bus.keyValue) throw new Error('this bus has no key-value store');
    kv = await bus.keyValue(options.bucket, { create: options.create, history: 5, timeoutMs });
  } catch (err) {
    await bus.close();
    const why = /503|no responders/i.test(errorMessage(err))
      ? 'the NATS server has no JetStream (start it with -js, or jetstream {} in its config)'
      : !options.create && /not found/i.test(errorMessage(err))
        ? 'it does not exist: no provisioner has run against this NATS with this bucket yet (cohort provisioner run creates it)'
        : errorMessage(err);
    throw new CohortError('STATE_STORE', `cannot open the provisioner state bucket ${options.bucket}: ${why}`, { cause: err });
  }
  return kvStore(bus, kv, options.bucket);
}

function kvStore(bus: Bus, kv: KeyValueBucket, bucket: string): StateStore {
  const entry = (e: KeyValueEntry | undefined): StateEntry | undefined => {
    const record = e ? decodeRecord(e.value) : undefined;
    return record && e ? { record, revision: e.revision } : undefined;
  };
  return {
    name: `bucket ${bucket}`,
    get: async (identity) => entry(await kv.get(registryKey(identity))),
    create: (record) => kv.create(registryKey(record.identity), encodeRecord(record)),
    update: (record, revision) => kv.update(registryKey(record.identity), encodeRecord(record), revision),
    async list() {
      const out: StateEntry[] = [];
      for (const k of await kv.keys()) {
        const parsed = entry(await kv.get(k));
        if (parsed && registryKey(parsed.record.identity) === k) out.push(parsed);
      }
      return out.sort((a, b) => (a.record.identity < b.record.identity ? -1 : 1));
    },
    async remove(identity) {
      await kv.purge(registryKey(identity));
    },
    watch: (onChange) =>
      kv.watch((key, e) => {
        const parsed = entry(e);
        if (parsed && identityFromRegistryKey(key) === parsed.record.identity) onChange(parsed);
      }),
    close: () => bus.close(),
  };
}
