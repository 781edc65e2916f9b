import { clientConfigSpec, CohortError, UsageError, defaultKvBucket, kvBucketProblem, kvKeyProblem, maxKvValueBytes } from '@cohort/core';
import type { Bus } from '../bus.js';
import type { KvRevision, KvStore, KvStoreStatus } from '../bus/kv-store.js';

/**
 * The key-value store (`cohort kv`): JetStream key-value buckets, by default
 * `cohort_kv_<collective>`, created by the first put. Access control is the
 * NATS server's (docs/service-discovery.md, "Key-value store").
 */

export type { KvRevision, KvStore, KvStoreStatus };

/** A bucket or key that does not exist (the CLI exits 3). */
export class KvNotFoundError extends CohortError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** Settings for a bucket created by the first put. */
export interface KvCreateSettings {
  /** Revisions kept per key (1-64; default 10). */
  history: number;
  /** Copies in a JetStream cluster (1-5; default 1). */
  replicas: number;
}

/** Declared in the client config spec (`kv:`). */
export const kvCreateDefaults: KvCreateSettings = Object.freeze({ history: clientConfigSpec.kv.history.default, replicas: clientConfigSpec.kv.replicas.default });

/** The bucket to use: `bucket` or the collective's default; checked. */
export function kvBucketName(collective: string, bucket?: string): string {
  const name = bucket ?? defaultKvBucket(collective);
  const problem = kvBucketProblem(name);
  if (problem) throw new UsageError(`--bucket: ${problem}`);
  return name;
}

export function checkKvKey(key: string, wildcards = false): string {
  const problem = kvKeyProblem(key, wildcards);
  if (problem) throw new UsageError(problem);
  return key;
}

export function checkKvCreate(settings: KvCreateSettings): KvCreateSettings {
  if (!Number.isInteger(settings.history) || settings.history < 1 || settings.history > 64) throw new UsageError(`history ${settings.history} must be a whole number from 1 to 64`);
  if (!Number.isInteger(settings.replicas) || settings.replicas < 1 || settings.replicas > 5) throw new UsageError(`replicas ${settings.replicas} must be a whole number from 1 to 5`);
  return settings;
}

function storeOf(bus: Bus): NonNullable<Bus['kvStore']> {
  if (!bus.kvStore) throw new UsageError('this bus has no key-value store (JetStream)');
  return bus.kvStore.bind(bus);
}

/** Open an existing bucket; KvNotFoundError when missing. */
export async function openKv(bus: Bus, bucket: string): Promise<KvStore> {
  const kv = await storeOf(bus)(bucket);
  if ('missing' in kv) throw new KvNotFoundError(kv.missing);
  return kv;
}

/** Store `value` under `key` (creating the bucket with `create` when missing); returns the new revision. */
export async function kvPut(bus: Bus, bucket: string, key: string, value: Uint8Array, create: KvCreateSettings = kvCreateDefaults): Promise<number> {
  checkKvKey(key);
  if (value.length > maxKvValueBytes) throw new UsageError(`the value is ${value.length} bytes: at most ${maxKvValueBytes} (1 MiB) can be stored`);
  const kv = await storeOf(bus)(bucket, { create: { ...checkKvCreate(create), maxValueBytes: maxKvValueBytes } });
  if ('missing' in kv) throw new KvNotFoundError(kv.missing);
  return kv.put(key, value);
}

/** The latest value of `key`; KvNotFoundError when the bucket or key is missing (or the key deleted). */
export async function kvGet(bus: Bus, bucket: string, key: string): Promise<KvRevision> {
  checkKvKey(key);
  const kv = await openKv(bus, bucket);
  const r = await kv.get(key);
  if (!r || r.operation !== 'PUT') throw new KvNotFoundError(r ? `key ${key} in bucket ${bucket} was deleted (revision ${r.revision})` : `there is no key ${key} in bucket ${bucket}`);
  return r;
}

/** Delete `key` (its history stays unless `purge`); KvNotFoundError when the bucket or key is missing. */
export async function kvDelete(bus: Bus, bucket: string, key: string, purge = false): Promise<void> {
  checkKvKey(key);
  const kv = await openKv(bus, bucket);
  const r = await kv.get(key);
  if (!r || (r.operation !== 'PUT' && !purge)) throw new KvNotFoundError(`there is no key ${key} in bucket ${bucket}`);
  await kv.delete(key, purge);
}

/** Keys with a value matching `filter` (wildcards `*` and `>`), sorted. */
export async function kvKeys(bus: Bus, bucket: string, filter = '>'): Promise<string[]> {
  checkKvKey(filter, true);
  return (await openKv(bus, bucket)).keys(filter);
}

/** Every kept revision of `key`, oldest first; KvNotFoundError when there is none. */
export async function kvHistory(bus: Bus, bucket: string, key: string): Promise<KvRevision[]> {
  checkKvKey(key);
  const revisions = await (await openKv(bus, bucket)).history(key);
  if (revisions.length === 0) throw new KvNotFoundError(`there is no key ${key} in bucket ${bucket}`);
  return revisions;
}

/** Watch keys matching `filter` (with the current values first when `initial`) until stop(). */
export async function kvWatch(bus: Bus, bucket: string, filter: string, initial: boolean, onChange: (r: KvRevision) => void): Promise<{ stop(): Promise<void> }> {
  checkKvKey(filter, true);
  return (await openKv(bus, bucket)).watch(filter, initial, onChange);
}

/** A revision as JSON: the value as UTF-8 text when it is valid UTF-8, else base64. */
export function kvRevisionJson(r: KvRevision): Record<string, unknown> {
  const text = utf8(r.value);
  return {
    key: r.key,
    revision: r.revision,
    operation: r.operation,
    created: new Date(r.created).toISOString(),
    ...(r.operation === 'PUT' ? (text !== undefined ? { value: text } : { value_base64: Buffer.from(r.value).toString('base64') }) : {}),
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The UTF-8 text of `bytes`, or undefined when they are not valid UTF-8. */
export function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
