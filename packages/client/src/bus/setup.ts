import type { NatsConnection } from 'nats';
import { errorMessage, jobStreamName, registryBucket } from '@cohort/core';
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
  return { registry: { bucket, created }, jobs: { stream: jobStreamName(collective), retention } };
}
