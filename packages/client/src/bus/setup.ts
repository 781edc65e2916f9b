import { DiscardPolicy, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import {
  bucketStream,
  checkDefinitionsBucket,
  checkEventsSpec,
  checksBucket,
  collectiveBuckets,
  errorMessage,
  jobStreamName,
  kvCreateOptions,
  registryBucket,
  type BucketSpec,
  type KvStoreSettings,
} from '@cohort/core';
import { natsJobStore } from './job-stream.js';
import type { JobRetention } from '../jobs/retention.js';

/**
 * What an administrator creates once per collective (`cohort bus init`),
 * so that nodes and operators need no right to create, change, purge or
 * delete streams: every bucket of core's layout (registry, checks, mine,
 * key-value store, plugins, web console jobs), the async job stream and the
 * check events stream.
 */
export interface BusSetupOptions {
  /** Seconds a registry record lives without a refresh (the bucket's max age; nodes' registration.ttl). */
  registryTtlSeconds: number;
  retention: JobRetention;
  /** How the `cohort kv` bucket is made (the client config's `kv:`). */
  kv: KvStoreSettings;
  /** The `cohort kv` bucket (default cohort_kv_<collective>). */
  kvBucket?: string;
  /** The web console's job bucket (default cohort_web_jobs). */
  webJobsBucket?: string;
}

/** One stream or bucket and what `cohort bus init` did about it. */
export interface BusSetupItem {
  kind: 'kv' | 'objects' | 'stream';
  name: string;
  /** What it holds (`mine values`, `plugin packs`...). */
  what: string;
  status: 'created' | 'kept';
}

export interface BusSetupResult {
  registry: { bucket: string; created: boolean };
  jobs: { stream: string; retention: JobRetention };
  /** The checks' state bucket, fleet-wide definitions bucket and events stream (docs/checks.md). */
  checks: { bucket: string; definitions: string; events: string; created: string[] };
  /** Every stream and bucket, in creation order (the ones above included). */
  items: BusSetupItem[];
}

function missing(err: unknown): boolean {
  return /stream not found/i.test(errorMessage(err));
}

/** Create every missing stream and bucket of `collective`; existing ones are kept as they are (the job stream gets `retention`). */
export async function setupBus(nc: NatsConnection, collective: string, options: BusSetupOptions): Promise<BusSetupResult> {
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const exists = async (stream: string, what: string): Promise<boolean> => {
    try {
      await jsm.streams.info(stream);
      return true;
    } catch (err) {
      if (!missing(err)) throw new Error(`reading the ${what} (${stream}): ${errorMessage(err)}`, { cause: err });
      return false;
    }
  };
  const ensure = async (spec: BucketSpec): Promise<BusSetupItem> => {
    const item = { kind: spec.kind, name: spec.name, what: spec.what };
    if (await exists(bucketStream(spec), spec.what)) return { ...item, status: 'kept' };
    try {
      if (spec.kind === 'kv') await js.views.kv(spec.name, kvCreateOptions(spec));
      else await js.views.os(spec.name);
    } catch (err) {
      throw new Error(`creating the ${spec.what} bucket ${spec.name}: ${errorMessage(err)}`, { cause: err });
    }
    return { ...item, status: 'created' };
  };
  const items: BusSetupItem[] = [];
  for (const spec of collectiveBuckets(collective, options)) items.push(await ensure(spec));
  const jobStream = jobStreamName(collective);
  const jobsExisted = await exists(jobStream, 'job stream');
  // ensure() only creates or adjusts the stream; the caller id does not matter for that.
  const retention = await natsJobStore(nc, collective, 'user=admin').ensure(options.retention);
  items.push({ kind: 'stream', name: jobStream, what: 'async jobs', status: jobsExisted ? 'kept' : 'created' });
  const eventsSpec = checkEventsSpec(collective);
  const events = eventsSpec.name;
  const eventsItem: BusSetupItem = { kind: 'stream', name: events, what: eventsSpec.what, status: 'kept' };
  if (!(await exists(events, 'check events stream'))) {
    await jsm.streams.add({
      name: events,
      subjects: [...eventsSpec.subjects],
      max_age: eventsSpec.maxAgeSeconds * 1_000_000_000,
      max_msgs: eventsSpec.maxMessages,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: StorageType.File,
    });
    eventsItem.status = 'created';
  }
  items.push(eventsItem);
  const created = (name: string) => items.some((i) => i.name === name && i.status === 'created');
  const checks = [checksBucket(collective), checkDefinitionsBucket(collective), events];
  return {
    registry: { bucket: registryBucket(collective), created: created(registryBucket(collective)) },
    jobs: { stream: jobStream, retention },
    checks: { bucket: checks[0]!, definitions: checks[1]!, events, created: checks.filter(created) },
    items,
  };
}
