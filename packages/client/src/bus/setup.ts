import { DiscardPolicy, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { checkDefinitionsBucket, checkEventsFilter, checkEventsMaxAgeSeconds, checkEventsMaxMessages, checkEventsStream, checksBucket, errorMessage, jobStreamName, registryBucket } from '@cohort/core';
import { natsJobStore } from './job-stream.js';
import type { JobRetention } from '../jobs/retention.js';

/**
 * What an administrator creates once per collective (`cohort bus init`),
 * so that nodes and operators need no right to create, change, purge or
 * delete streams: the registry bucket and the async job stream.
 */
export interface BusSetupOptions {
  /** Seconds a registry record lives without a refresh (the bucket's max age; nodes' registration.ttl). */
  registryTtlSeconds: number;
  retention: JobRetention;
}

export interface BusSetupResult {
  registry: { bucket: string; created: boolean };
  jobs: { stream: string; retention: JobRetention };
  /** The checks' state bucket, fleet-wide definitions bucket and events stream (docs/checks.md). */
  checks: { bucket: string; definitions: string; events: string; created: string[] };
}

function missing(err: unknown): boolean {
  return /stream not found/i.test(errorMessage(err));
}

/** Create (or keep) the registry bucket and the job stream of `collective`. */
export async function setupBus(nc: NatsConnection, collective: string, options: BusSetupOptions): Promise<BusSetupResult> {
  const bucket = registryBucket(collective);
  const jsm = await nc.jetstreamManager();
  let created = false;
  try {
    await jsm.streams.info(`KV_${bucket}`);
  } catch (err) {
    if (!missing(err)) throw new Error(`reading the registry bucket ${bucket}: ${errorMessage(err)}`, { cause: err });
    await nc.jetstream().views.kv(bucket, { history: 1, ttl: options.registryTtlSeconds * 1000 });
    created = true;
  }
  // ensure() only creates or adjusts the stream; the caller id does not matter for that.
  const store = natsJobStore(nc, collective, 'user=admin');
  const retention = await store.ensure(options.retention);
  return { registry: { bucket, created }, jobs: { stream: jobStreamName(collective), retention }, checks: await setupChecks(nc, collective) };
}

/** The checks' buckets (history 1) and events stream (bounded retention); existing ones are kept as they are. */
async function setupChecks(nc: NatsConnection, collective: string): Promise<BusSetupResult['checks']> {
  const jsm = await nc.jetstreamManager();
  const created: string[] = [];
  const exists = async (stream: string): Promise<boolean> => {
    try {
      await jsm.streams.info(stream);
      return true;
    } catch (err) {
      if (!missing(err)) throw new Error(`reading ${stream}: ${errorMessage(err)}`, { cause: err });
      return false;
    }
  };
  for (const bucket of [checksBucket(collective), checkDefinitionsBucket(collective)]) {
    if (await exists(`KV_${bucket}`)) continue;
    await nc.jetstream().views.kv(bucket, { history: 1 });
    created.push(bucket);
  }
  const events = checkEventsStream(collective);
  if (!(await exists(events))) {
    await jsm.streams.add({
      name: events,
      subjects: [checkEventsFilter(collective)],
      max_age: checkEventsMaxAgeSeconds * 1_000_000_000,
      max_msgs: checkEventsMaxMessages,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      storage: StorageType.File,
    });
    created.push(events);
  }
  return { bucket: checksBucket(collective), definitions: checkDefinitionsBucket(collective), events, created };
}
