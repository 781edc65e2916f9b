import type { NatsConnection } from 'nats';
import { bucketCreateError, errorMessage, kvCreateOptions, pluginManifestsSpec, pluginObjectsBucket, pluginRolloutBucket, pluginRolloutSpec } from '@cohort/core';
import type { PluginStore, PluginStoreMissing } from '../plugins/store.js';
import { isNoJetStream, noJetStreamReason } from './nats-errors.js';

function missingReason(err: unknown, name: string): string | undefined {
  const text = errorMessage(err);
  if (isNoJetStream(err)) return noJetStreamReason;
  if (/not found/i.test(text)) return `there is no bucket ${name} yet (nothing was pushed: cohort plugin push DIR)`;
  return undefined;
}

/**
 * A collective's plugin store on NATS JetStream: the packs in an object
 * store bucket (one object per `<name>/<version>`), the signed manifests in
 * a key-value bucket (one key per plugin, the last few kept), the rollout
 * slots in another (entries expire by themselves).
 */
export async function openPluginStore(nc: NatsConnection, collective: string, create: boolean, timeoutMs = 10_000): Promise<PluginStore | PluginStoreMissing> {
  const js = nc.jetstream({ timeout: timeoutMs });
  const manifests = pluginManifestsSpec(collective);
  const manifestsName = manifests.name;
  let kv: Awaited<ReturnType<typeof js.views.kv>>;
  let os: Awaited<ReturnType<typeof js.views.os>>;
  try {
    kv = await js.views.kv(manifestsName, create ? kvCreateOptions(manifests) : { bindOnly: true });
    if (!create) await kv.status();
    if (create) {
      os = await js.views.os(pluginObjectsBucket(collective));
      await js.views.kv(pluginRolloutBucket(collective), kvCreateOptions(pluginRolloutSpec(collective)));
    } else {
      const jsm = await nc.jetstreamManager({ timeout: timeoutMs });
      await jsm.streams.info(`OBJ_${pluginObjectsBucket(collective)}`);
      os = await js.views.os(pluginObjectsBucket(collective));
    }
  } catch (err) {
    const missing = missingReason(err, manifestsName);
    if (missing) return { missing };
    // Creating needs the manifests, packs and rollout buckets: name them all.
    throw create ? bucketCreateError(err, `${manifestsName}, ${pluginObjectsBucket(collective)} or ${pluginRolloutBucket(collective)}`, 'plugin') : err;
  }
  const decoder = new TextDecoder();
  return {
    async putObject(object, bytes) {
      await os.putBlob({ name: object }, bytes);
    },
    async getObject(object, maxBytes) {
      const info = await os.info(object);
      if (info === null || info.deleted) return undefined;
      if (info.size > maxBytes) throw new Error(`the object ${object} is ${info.size} bytes, more than ${maxBytes}`);
      return (await os.getBlob(object)) ?? undefined;
    },
    async history(name) {
      const out: Uint8Array[] = [];
      const iterator = await kv.history({ key: name });
      for await (const e of iterator) if (e.operation === 'PUT') out.push(e.value);
      return out.reverse();
    },
    async manifests() {
      const out: Array<{ name: string; bytes: Uint8Array }> = [];
      const keys = await kv.keys();
      const names: string[] = [];
      for await (const k of keys) names.push(k);
      for (const name of names.sort()) {
        const e = await kv.get(name);
        if (e && e.operation === 'PUT') out.push({ name, bytes: e.value });
      }
      return out;
    },
    async putManifest(name, bytes) {
      await kv.put(name, bytes);
    },
    async slots() {
      let rollout: Awaited<ReturnType<typeof js.views.kv>>;
      try {
        rollout = await js.views.kv(pluginRolloutBucket(collective), { bindOnly: true });
      } catch {
        return [];
      }
      const out: Array<{ key: string; holder: string }> = [];
      const keys = await rollout.keys();
      const names: string[] = [];
      for await (const k of keys) names.push(k);
      for (const key of names) {
        const e = await rollout.get(key);
        if (e && e.operation === 'PUT') out.push({ key, holder: decoder.decode(e.value) });
      }
      return out;
    },
  };
}
