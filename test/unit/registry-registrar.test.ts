// The node side: Registrar publishes into each collective's bucket, refreshes, and cleans up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, decodeLifecycle, decodeRegistration, type NodeView } from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { Registrar, type BucketOpener, type RegistryBucket } from '@cohort/server';
import { caught } from '../harness/messages.js';
import { until } from '../harness/wait.js';

function fakeStore(options: { failOpen?: number } = {}) {
  const buckets = new Map<string, Map<string, Uint8Array>>();
  const opened: Array<[string, number]> = [];
  let failures = options.failOpen ?? 0;
  const open: BucketOpener = async (name, ttl) => {
    opened.push([name, ttl]);
    if (failures > 0) {
      failures--;
      throw new Error('jetstream not enabled');
    }
    const b = buckets.get(name) ?? new Map<string, Uint8Array>();
    buckets.set(name, b);
    const bucket: RegistryBucket = {
      put: async (k, v) => void b.set(k, v),
      delete: async (k) => void b.delete(k),
    };
    return bucket;
  };
  return { open, buckets, opened };
}

function setup(open: BucketOpener | undefined, view: () => NodeView) {
  const events: Array<[string, Uint8Array]> = [];
  const warnings: string[] = [];
  const log = silentLogger();
  log.warn = ((m: string) => {
    warnings.push(m);
    return log;
  }) as typeof log.warn;
  let counted = 0;
  const registrar = new Registrar({
    node: { identity: 'web:1', collectives: ['cohort', 'eu'], version: '9', startedAt: 1000 },
    view,
    intervalSeconds: 60,
    ttlSeconds: 180,
    openBucket: open,
    publish: (s, b) => void events.push([s, b]),
    log,
    splay: false,
    clock: () => 5000,
    onEvent: () => counted++,
  });
  return { registrar, events, warnings, counted: () => counted };
}

const baseView: NodeView = { identity: 'web:1', facts: { role: 'web' }, classes: ['base'], agents: ['rpcutil'] };

test('start registers in every collective (escaped key, bucket TTL) and announces startup', async () => {
  const store = fakeStore();
  const { registrar, events, counted } = setup(store.open, () => baseView);
  await registrar.start();
  assert.deepEqual(store.opened, [['cohort_registry_cohort', 180], ['cohort_registry_eu', 180]]);
  for (const name of ['cohort_registry_cohort', 'cohort_registry_eu']) {
    const rec = decodeRegistration(store.buckets.get(name)!.get('web=3A1')!);
    assert.deepEqual([rec.identity, rec.facts, rec.classes, rec.agents, rec.interval, rec.time, rec.started_at], ['web:1', { role: 'web' }, ['base'], ['rpcutil'], 60, 5000, 1000]);
  }
  assert.deepEqual(events.map(([s]) => s), ['cohort.lifecycle.startup.web:1', 'eu.lifecycle.startup.web:1']);
  assert.equal(decodeLifecycle(events[0]![1]).event, 'startup');
  assert.equal(counted(), 2);
  await registrar.stop();
});

test('refresh publishes the current view; calls during a publish fold into one more', async () => {
  const store = fakeStore();
  let view = baseView;
  const { registrar } = setup(store.open, () => view);
  await registrar.start();
  view = { ...baseView, facts: { role: 'db' } };
  const runs = [registrar.refresh(), registrar.refresh(), registrar.refresh()];
  await Promise.all(runs);
  assert.equal(decodeRegistration(store.buckets.get('cohort_registry_cohort')!.get('web=3A1')!).facts['role'], 'db');
  await registrar.stop();
});

test('stop deletes the records and announces shutdown; nothing is published afterwards', async () => {
  const store = fakeStore();
  const { registrar, events } = setup(store.open, () => baseView);
  await registrar.start();
  await registrar.stop();
  assert.equal(store.buckets.get('cohort_registry_cohort')!.size, 0);
  assert.deepEqual(events.slice(2).map(([s]) => s), ['cohort.lifecycle.shutdown.web:1', 'eu.lifecycle.shutdown.web:1']);
  await registrar.refresh();
  assert.equal(store.buckets.get('cohort_registry_cohort')!.size, 0);
});

test('without JetStream the node warns once per collective, keeps going, and registers when it can', async () => {
  const store = fakeStore({ failOpen: 2 });
  const { registrar, warnings, events } = setup(store.open, () => baseView);
  await registrar.start();
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /cannot write to bucket cohort_registry_cohort \(jetstream not enabled\).*nats-server -js/);
  assert.equal(events.length, 2, 'lifecycle events still go out');
  await registrar.refresh();
  assert.equal(warnings.length, 2);
  assert.ok(store.buckets.get('cohort_registry_cohort')!.has('web=3A1'));
  await registrar.stop();
});

test('a ttl not above the interval is refused with advice', () => {
  const err = caught(ConfigError, () => new Registrar({ node: { identity: 'a', collectives: ['c'], version: '1', startedAt: 0 }, view: () => baseView, intervalSeconds: 60, ttlSeconds: 60, openBucket: undefined, publish: () => undefined, log: silentLogger() }));
  assert.match(err.message, /registration.ttl \(60 s\) must be greater than registration.interval \(60 s\)/);
});

test('a failed first registration is retried within about a second, without waiting for the heartbeat', async () => {
  const store = fakeStore({ failOpen: 2 });
  const { registrar } = setup(store.open, () => baseView);
  await registrar.start();
  assert.equal(store.buckets.size, 0);
  // Retried on a short timer, not the 60 s heartbeat: wait for the record itself.
  const registered = (bucket: string) => store.buckets.get(bucket)?.has('web=3A1') === true;
  await until('the retry to register the node in both collectives', () => registered('cohort_registry_cohort') && registered('cohort_registry_eu'), { timeoutMs: 10_000, everyMs: 20 });
  await registrar.stop();
});
