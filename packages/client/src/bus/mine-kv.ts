import type { NatsConnection } from 'nats';
import { bucketCreateError, errorMessage } from '@cohort/core';
import type { KvEntry, KvMissing, MineKv, KvWatch } from '../mine/kv.js';
import { isNoJetStream, noJetStreamReason } from './nats-errors.js';

function isDestroyable(v: unknown): v is { destroy(): Promise<void> } {
  return typeof v === 'object' && v !== null && typeof (v as { destroy?: unknown }).destroy === 'function';
}

/** Open a mine bucket on NATS JetStream key-value. */
export async function openNatsKv(nc: NatsConnection, name: string, create: boolean, ttlSeconds = 0, timeoutMs = 5000): Promise<MineKv | KvMissing> {
  const js = nc.jetstream({ timeout: timeoutMs });
  let kv: Awaited<ReturnType<typeof js.views.kv>>;
  try {
    kv = await js.views.kv(name, create ? { history: 1, ...(ttlSeconds > 0 ? { ttl: ttlSeconds * 1000 } : {}) } : { bindOnly: true });
    if (!create) await kv.status();
  } catch (err) {
    const text = errorMessage(err);
    if (isNoJetStream(err)) return { missing: noJetStreamReason };
    if (/not found/i.test(text)) return { missing: `there is no bucket ${name} yet (no node has written to it)` };
    throw create ? bucketCreateError(err, name) : err;
  }
  return {
    async put(key, value) {
      await kv.put(key, value);
    },
    async delete(key) {
      await kv.delete(key);
    },
    async watch(filter, onEntry: (e: KvEntry) => void, follow): Promise<KvWatch> {
      let initialised!: () => void;
      const ready = new Promise<void>((resolve) => (initialised = resolve));
      const iterator = await kv.watch({ key: filter, initializedFn: () => initialised() });
      let stopped = false;
      const stop = async (): Promise<void> => {
        if (stopped) return;
        stopped = true;
        // Delete the server-side consumer now rather than when it times out.
        const sub: unknown = Reflect.get(iterator, '_data');
        if (isDestroyable(sub)) await sub.destroy().catch(() => undefined);
        iterator.stop();
      };
      void (async () => {
        for await (const e of iterator) onEntry({ key: e.key, value: e.operation === 'PUT' ? e.value : undefined, created: e.created.getTime() });
      })()
        .catch(() => undefined)
        .finally(() => initialised());
      await ready;
      if (!follow) await stop();
      return { stop };
    },
  };
}
