import { connect, KvWatchInclude, type KV, type NatsConnection } from 'nats';
import { CohortError, ConnectionError, errorMessage, registryKey, identityFromRegistryKey, type BusAuth } from '@cohort/core';
import { natsAuthOptions } from '../bus.js';
import { decodeRecord, encodeRecord, type StateEntry, type StateStore } from './state-store.js';

/**
 * The state store on NATS JetStream key-value: one key per node (its
 * identity, escaped like registry keys), history 5, no expiry. Creates and
 * updates are compare-and-set on the key's revision, which is what keeps
 * two provisioners off the same node.
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

/** A compare-and-set conflict (somebody wrote the key since we read it). */
function isConflict(err: unknown): boolean {
  return /wrong last sequence|key exists|10071/i.test(errorMessage(err));
}

/** Connect and open (or create) the bucket. Throws ConnectionError when NATS is not there, CohortError STATE_STORE without JetStream or bucket. */
export async function openKvStateStore(options: KvStateOptions): Promise<StateStore> {
  const timeout = options.timeoutMs ?? 5000;
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: [...options.servers], timeout, name: 'cohort-provisioner state', noRandomize: true, ...natsAuthOptions(options.auth) });
  } catch (err) {
    throw new ConnectionError(options.servers, `cannot connect to NATS at ${options.servers.join(', ')}: ${errorMessage(err)}`, { cause: err });
  }
  let kv: KV;
  try {
    // Binding does not check the bucket exists: ask, so status/retry can say so.
    if (!options.create) await (await nc.jetstreamManager({ timeout })).streams.info(`KV_${options.bucket}`);
    kv = await nc.jetstream({ timeout }).views.kv(options.bucket, options.create ? { history: 5 } : { bindOnly: true });
  } catch (err) {
    await nc.close();
    const why = /503|no responders/i.test(errorMessage(err))
      ? 'the NATS server has no JetStream (start it with -js, or jetstream {} in its config)'
      : !options.create && /not found/i.test(errorMessage(err))
        ? 'it does not exist: no provisioner has run against this NATS with this bucket yet (cohort provisioner run creates it)'
        : errorMessage(err);
    throw new CohortError('STATE_STORE', `cannot open the provisioner state bucket ${options.bucket}: ${why}`, { cause: err });
  }
  return kvStore(nc, kv, options.bucket);
}

function kvStore(nc: NatsConnection, kv: KV, bucket: string): StateStore {
  const entry = (value: Uint8Array, revision: number): StateEntry | undefined => {
    const record = decodeRecord(value);
    return record ? { record, revision } : undefined;
  };
  return {
    name: `bucket ${bucket}`,
    async get(identity) {
      const e = await kv.get(registryKey(identity));
      if (!e || e.operation !== 'PUT') return undefined;
      return entry(e.value, e.revision);
    },
    async create(record) {
      try {
        return await kv.create(registryKey(record.identity), encodeRecord(record));
      } catch (err) {
        if (isConflict(err)) return undefined;
        throw err;
      }
    },
    async update(record, revision) {
      try {
        return await kv.update(registryKey(record.identity), encodeRecord(record), revision);
      } catch (err) {
        if (isConflict(err)) return undefined;
        throw err;
      }
    },
    async list() {
      const out: StateEntry[] = [];
      const keys: string[] = [];
      for await (const k of await kv.keys()) keys.push(k);
      for (const k of keys) {
        const e = await kv.get(k);
        const parsed = e && e.operation === 'PUT' ? entry(e.value, e.revision) : undefined;
        if (parsed && registryKey(parsed.record.identity) === k) out.push(parsed);
      }
      return out.sort((a, b) => (a.record.identity < b.record.identity ? -1 : 1));
    },
    async remove(identity) {
      await kv.purge(registryKey(identity));
    },
    async watch(onChange) {
      const iterator = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
      void (async () => {
        for await (const e of iterator) {
          if (e.operation !== 'PUT') continue;
          const parsed = entry(e.value, e.revision);
          if (parsed && identityFromRegistryKey(e.key) === parsed.record.identity) onChange(parsed);
        }
      })().catch(() => undefined);
      return { stop: () => iterator.stop() };
    },
    async close() {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}
