// core's layout (layout.ts): every bucket of a collective, named by the
// feature modules' helpers, with the limits the lazy creators use too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bucketStream,
  checkEventsSpec,
  checkEventsStream,
  collectiveBuckets,
  defaultKvBucket,
  kvCreateOptions,
  mineBucket,
  mineBucketMaxAgeSeconds,
  mineDefinitionsBucket,
  pluginManifestsHistory,
  pluginObjectsBucket,
  pluginRolloutSlotTtl,
  registryBucket,
  type KvBucketSpec,
} from '@cohort/core';

const options = { registryTtlSeconds: 60, kv: { history: 7, replicas: 3 } };

test('collectiveBuckets names every bucket of a collective once, from the helpers', () => {
  const specs = collectiveBuckets('dc1', options);
  const names = specs.map((s) => s.name);
  assert.equal(new Set(names).size, names.length, 'no bucket twice');
  for (const name of [registryBucket('dc1'), mineBucket('dc1'), mineDefinitionsBucket('dc1'), defaultKvBucket('dc1'), pluginObjectsBucket('dc1'), 'cohort_web_jobs']) assert.ok(names.includes(name), name);
  assert.deepEqual(collectiveBuckets('dc1', { ...options, kvBucket: 'shared', webJobsBucket: 'console' }).map((s) => s.name).filter((n) => !names.includes(n)).sort(), ['console', 'shared']);
  assert.equal(bucketStream(specs.find((s) => s.kind === 'objects')!), `OBJ_${pluginObjectsBucket('dc1')}`);
  assert.equal(bucketStream(specs[0]!), `KV_${registryBucket('dc1')}`);
});

test('each bucket gets its limits: registry and mine ages, manifests history, rollout slot TTL, kv settings', () => {
  const byName = new Map(collectiveBuckets('dc1', options).map((s) => [s.name, s]));
  const kv = (name: string) => kvCreateOptions(byName.get(name) as KvBucketSpec);
  assert.deepEqual(kv(registryBucket('dc1')), { history: 1, ttl: 60_000 });
  assert.deepEqual(kv(mineBucket('dc1')), { history: 1, ttl: mineBucketMaxAgeSeconds * 1000 });
  assert.deepEqual(kv(mineDefinitionsBucket('dc1')), { history: 1 });
  assert.deepEqual(kv('cohort_plugin_manifests_dc1'), { history: pluginManifestsHistory });
  assert.deepEqual(kv('cohort_plugin_rollout_dc1'), { history: 1, ttl: pluginRolloutSlotTtl * 1000 });
  assert.deepEqual(kv(defaultKvBucket('dc1')), { history: 7, maxValueSize: 1024 * 1024, replicas: 3 });
  assert.deepEqual(kv('cohort_web_jobs'), { history: 1, maxValueSize: 1024 * 1024, replicas: 1 });
});

test('the check events stream is bounded and captures the collective\'s events', () => {
  const spec = checkEventsSpec('dc1');
  assert.equal(spec.name, checkEventsStream('dc1'));
  assert.deepEqual(spec.subjects, ['dc1.check-event.>']);
  assert.ok(spec.maxAgeSeconds > 0 && spec.maxMessages > 0);
});
