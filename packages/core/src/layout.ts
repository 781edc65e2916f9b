import { mineBucket, mineDefinitionsBucket, registryBucket } from './protocol/subjects.js';
import { checkDefinitionsBucket, checkEventsFilter, checkEventsStream, checksBucket } from './checks/subjects.js';
import { checkEventsMaxAgeSeconds, checkEventsMaxMessages } from './checks/types.js';
import { mineBucketMaxAgeSeconds } from './mine/types.js';
import { defaultKvBucket, maxKvValueBytes } from './kv/index.js';
import { pluginManifestsBucket, pluginManifestsHistory, pluginObjectsBucket, pluginRolloutBucket, pluginRolloutSlotTtl } from './plugins/manifest.js';

/**
 * The JetStream key-value buckets and object stores of a collective, with
 * their limits: one definition for `cohort bus init` (an administrator
 * creates them all, docs/security.md) and for the code that creates one
 * lazily when its user may (a node's first mine value, the first
 * `cohort kv put`, the first `cohort plugin push`...). The job stream and the
 * check events stream have their own definitions (jobs/retention in the
 * client, checks/ here); names come from subjects.ts and the feature modules.
 */

/** A key-value bucket (the stream `KV_<name>`). */
export interface KvBucketSpec {
  readonly kind: 'kv';
  readonly name: string;
  /** What it holds, for `cohort bus init`'s report. */
  readonly what: string;
  /** Revisions kept per key. */
  readonly history: number;
  /** Seconds an entry lives without being rewritten; 0 for ever. */
  readonly maxAgeSeconds: number;
  /** Largest value in bytes; absent for the server's max_payload. */
  readonly maxValueBytes?: number;
  /** Copies in a JetStream cluster (default 1). */
  readonly replicas?: number;
}

/** An object store bucket (the stream `OBJ_<name>`). */
export interface ObjectStoreSpec {
  readonly kind: 'objects';
  readonly name: string;
  readonly what: string;
}

export type BucketSpec = KvBucketSpec | ObjectStoreSpec;

/** A plain stream with limits retention on file storage, the oldest messages dropped at a limit. */
export interface StreamSpec {
  readonly kind: 'stream';
  readonly name: string;
  readonly what: string;
  readonly subjects: readonly string[];
  /** Seconds a message is kept. */
  readonly maxAgeSeconds: number;
  /** Messages kept at most. */
  readonly maxMessages: number;
}

/** The check events of a collective (docs/checks.md): bounded in age and count. */
export function checkEventsSpec(collective: string): StreamSpec {
  return { kind: 'stream', name: checkEventsStream(collective), what: 'check events', subjects: [checkEventsFilter(collective)], maxAgeSeconds: checkEventsMaxAgeSeconds, maxMessages: checkEventsMaxMessages };
}

/** The JetStream stream behind a bucket (`KV_<name>` or `OBJ_<name>`). */
export function bucketStream(spec: BucketSpec): string {
  return `${spec.kind === 'kv' ? 'KV' : 'OBJ'}_${spec.name}`;
}

/** The registry: the latest record per node, gone `ttlSeconds` after its last refresh (the nodes' registration.ttl). */
export function registryBucketSpec(collective: string, ttlSeconds: number): KvBucketSpec {
  return { kind: 'kv', name: registryBucket(collective), what: 'registry', history: 1, maxAgeSeconds: ttlSeconds };
}

/** Mined values: the latest per node and function; a week without a rewrite removes one (docs/mine.md). */
export function mineValuesSpec(collective: string): KvBucketSpec {
  return { kind: 'kv', name: mineBucket(collective), what: 'mine values', history: 1, maxAgeSeconds: mineBucketMaxAgeSeconds };
}

/** Fleet-wide mine definitions (`cohort mine define`), one per function. */
export function mineDefinitionsSpec(collective: string): KvBucketSpec {
  return { kind: 'kv', name: mineDefinitionsBucket(collective), what: 'mine definitions', history: 1, maxAgeSeconds: 0 };
}

/** The nodes' check states, one per node and check. */
export function checkStatesSpec(collective: string): KvBucketSpec {
  return { kind: 'kv', name: checksBucket(collective), what: 'check states', history: 1, maxAgeSeconds: 0 };
}

/** Fleet-wide check definitions (docs/checks.md). */
export function checkDefinitionsSpec(collective: string): KvBucketSpec {
  return { kind: 'kv', name: checkDefinitionsBucket(collective), what: 'check definitions', history: 1, maxAgeSeconds: 0 };
}

/** The signed plugin manifests: the last few per plugin (`cohort plugin rollback`). */
export function pluginManifestsSpec(collective: string): KvBucketSpec {
  return { kind: 'kv', name: pluginManifestsBucket(collective), what: 'plugin manifests', history: pluginManifestsHistory, maxAgeSeconds: 0 };
}

/** The plugin packs, one object per `<name>/<version>`. */
export function pluginObjectsSpec(collective: string): ObjectStoreSpec {
  return { kind: 'objects', name: pluginObjectsBucket(collective), what: 'plugin packs' };
}

/** Staged-rollout slots; a slot its node never gives back expires. */
export function pluginRolloutSpec(collective: string): KvBucketSpec {
  return { kind: 'kv', name: pluginRolloutBucket(collective), what: 'plugin rollout slots', history: 1, maxAgeSeconds: pluginRolloutSlotTtl };
}

/** How a `cohort kv` bucket is made (the client config's `kv:` history and replicas). */
export interface KvStoreSettings {
  history: number;
  replicas: number;
}

/** A key-value store bucket (`cohort kv`, templates): by default the collective's `cohort_kv_<collective>`. */
export function kvStoreSpec(name: string, settings: KvStoreSettings): KvBucketSpec {
  return { kind: 'kv', name, what: 'key-value store', history: settings.history, maxAgeSeconds: 0, maxValueBytes: maxKvValueBytes, replicas: settings.replicas };
}

/** The web console's default job history bucket (docs/web.md, `jobs.bucket`). */
export const defaultWebJobsBucket = 'cohort_web_jobs';

/** The web console's job history: one record per job, up to 1 MiB each (it keeps the newest `jobs.keep` itself). */
export function webJobsSpec(name: string = defaultWebJobsBucket): KvBucketSpec {
  return { kind: 'kv', name, what: 'web console jobs', history: 1, maxAgeSeconds: 0, maxValueBytes: 1024 * 1024, replicas: 1 };
}

export interface CollectiveLayoutOptions {
  /** The registry's max age (the nodes' registration.ttl). */
  registryTtlSeconds: number;
  /** How the `cohort kv` bucket is made. */
  kv: KvStoreSettings;
  /** The `cohort kv` bucket (default cohort_kv_<collective>). */
  kvBucket?: string;
  /** The web console's job bucket (default cohort_web_jobs). */
  webJobsBucket?: string;
}

/** Every bucket a collective uses, in the order `cohort bus init` creates them. */
export function collectiveBuckets(collective: string, options: CollectiveLayoutOptions): BucketSpec[] {
  return [
    registryBucketSpec(collective, options.registryTtlSeconds),
    checkStatesSpec(collective),
    checkDefinitionsSpec(collective),
    mineValuesSpec(collective),
    mineDefinitionsSpec(collective),
    kvStoreSpec(options.kvBucket ?? defaultKvBucket(collective), options.kv),
    pluginObjectsSpec(collective),
    pluginManifestsSpec(collective),
    pluginRolloutSpec(collective),
    webJobsSpec(options.webJobsBucket),
  ];
}

/** The nats.js key-value options that create `spec` (plain data: core imports no NATS code). */
export function kvCreateOptions(spec: KvBucketSpec): { history: number; ttl?: number; maxValueSize?: number; replicas?: number } {
  return {
    history: spec.history,
    ...(spec.maxAgeSeconds > 0 ? { ttl: spec.maxAgeSeconds * 1000 } : {}),
    ...(spec.maxValueBytes !== undefined ? { maxValueSize: spec.maxValueBytes } : {}),
    ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
  };
}
