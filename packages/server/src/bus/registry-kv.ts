import type { NatsConnection } from 'nats';
import { bucketCreateError } from '@cohort/core';
import type { RegistryBucket } from '../registration/bucket.js';

/**
 * A registry bucket on NATS JetStream key-value: history 1 (only the latest
 * record per node is kept) and a max age of `ttlSeconds`, so a node that
 * stops refreshing its record disappears. An existing bucket is used as it
 * is (the first node to create it sets the max age).
 */
export async function openKvBucket(nc: NatsConnection, name: string, ttlSeconds: number, what = 'registry'): Promise<RegistryBucket> {
  let kv;
  try {
    kv = await nc.jetstream().views.kv(name, { history: 1, ttl: ttlSeconds * 1000 });
  } catch (err) {
    throw bucketCreateError(err, name, what);
  }
  return {
    async put(key, value) {
      await kv.put(key, value);
    },
    async delete(key) {
      await kv.delete(key);
    },
    // A plain subscription on the key's subject sees every write to it (no
    // consumer on the server); deletes and purges carry a KV-Operation header.
    watchKey(key, onChange) {
      const sub = nc.subscribe(`$KV.${name}.${key}`, {
        callback: (err, msg) => {
          if (err) return;
          const op = msg.headers?.get('KV-Operation') ?? '';
          onChange(op === 'DEL' || op === 'PURGE' ? undefined : msg.data);
        },
      });
      return () => sub.unsubscribe();
    },
  };
}
