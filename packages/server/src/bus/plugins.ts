import type { NatsConnection } from 'nats';
import { bucketCreateError, errorMessage, kvCreateOptions, pluginManifestsSpec, pluginObjectsBucket, pluginRolloutSpec } from '@cohort/core';
import { watchBucket, type BucketWatcher, type WatchedEntry } from './mine-watch.js';

/**
 * The NATS part of plugin sync (docs/plugins.md): the manifests bucket
 * watched, packs read from the object store, rollout slots claimed with a
 * compare-and-set create and given back with a delete.
 */
export interface PluginsBus {
  /** Watch a collective's signed manifests (the bucket is created when missing): every current value, then every change. */
  watchManifests(collective: string, onEntry: (entry: WatchedEntry) => void, onError: (err: unknown) => void): Promise<BucketWatcher>;
  /** The bytes of a pack; undefined when there is no such object. Refuses objects larger than `maxBytes` before reading them. */
  fetch(collective: string, object: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** Take rollout slot `key` for `holder` (true), or false when someone holds it. */
  claim(collective: string, key: string, holder: string): Promise<boolean>;
  /** Give a slot back. */
  release(collective: string, key: string): Promise<void>;
}

export function natsPluginsBus(nc: NatsConnection): PluginsBus {
  const js = () => nc.jetstream({ timeout: 10_000 });
  const rollout = (collective: string) => {
    const spec = pluginRolloutSpec(collective);
    return js()
      .views.kv(spec.name, kvCreateOptions(spec))
      .catch((err: unknown) => Promise.reject(bucketCreateError(err, spec.name, spec.what)));
  };
  return {
    watchManifests: (collective, onEntry, onError) => watchBucket(nc, pluginManifestsSpec(collective).name, onEntry, onError, pluginManifestsSpec(collective).history),
    async fetch(collective, object, maxBytes) {
      const os = await js().views.os(pluginObjectsBucket(collective)).catch((err: unknown) => Promise.reject(bucketCreateError(err, pluginObjectsBucket(collective), 'plugin packs')));
      const info = await os.info(object);
      if (info === null || info.deleted) return undefined;
      if (info.size > maxBytes) throw new Error(`the object ${object} is ${info.size} bytes, more than the ${maxBytes} a plugin may be`);
      const bytes = await os.getBlob(object);
      return bytes ?? undefined;
    },
    async claim(collective, key, holder) {
      const kv = await rollout(collective);
      try {
        await kv.create(key, new TextEncoder().encode(holder));
        return true;
      } catch (err) {
        if (/wrong last sequence|key exists/i.test(errorMessage(err))) return false;
        throw err;
      }
    },
    async release(collective, key) {
      const kv = await rollout(collective);
      await kv.delete(key);
    },
  };
}
