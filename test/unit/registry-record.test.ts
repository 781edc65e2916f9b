// Registry records: the envelope codec, keys, record -> NodeView and the client's watched view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeLifecycle,
  decodeRegistration,
  encodeRegistryMessage,
  identityFromRegistryKey,
  lifecycleSubject,
  lifecycleWatchSubject,
  matchFilter,
  ProtocolError,
  registryBucket,
  registryKey,
  RegistryTag,
  type RegistrationMessage,
} from '@cohort/core';
import { nodeViewOf, RegistryView, type BucketEntry } from '@cohort/client';
import { buildLifecycle, buildRegistration } from '@cohort/server';
import { caught } from '../harness/messages.js';

const node = { identity: 'web1', collectives: ['cohort', 'europe'], version: '1.2.3', startedAt: 1_700_000_000_000 };
const view = { identity: 'web1', facts: { role: 'web', os: { family: 'Debian' }, cpus: 4 }, classes: ['base', 'apache'], agents: ['echo', 'rpcutil'] };

function record(fields: Partial<RegistrationMessage> = {}): RegistrationMessage {
  return { ...buildRegistration(node, view, 60, 1_700_000_001_000), ...fields };
}

function entry(value: RegistrationMessage | Uint8Array, created: number, operation: BucketEntry['operation'] = 'PUT', key?: string): BucketEntry {
  const bytes = value instanceof Uint8Array ? value : encodeRegistryMessage(value);
  return { key: key ?? registryKey(value instanceof Uint8Array ? 'web1' : value.identity), value: bytes, created, operation };
}

test('a registration record carries what the filter matcher sees, and round-trips through the codec', () => {
  const r = record();
  assert.equal(r.protocol, RegistryTag.Registration);
  assert.deepEqual([r.identity, r.collectives, r.classes, r.agents, r.interval, r.started_at], ['web1', ['cohort', 'europe'], ['base', 'apache'], ['echo', 'rpcutil'], 60, node.startedAt]);
  const back = decodeRegistration(encodeRegistryMessage(r));
  assert.deepEqual(back, r);
  const seen = nodeViewOf(back);
  assert.deepEqual({ ...seen }, { identity: 'web1', facts: view.facts, classes: view.classes, agents: view.agents });
  assert.equal(seen.data, undefined);
});

test('decodeRegistration refuses other tags, bad JSON and schema violations, saying what is wrong', () => {
  const lifecycle = encodeRegistryMessage(buildLifecycle(node, 'startup', 1));
  assert.match(caught(ProtocolError, () => decodeRegistration(lifecycle)).message, /protocol 'cohort:lifecycle:1', expected 'cohort:registration:1'/);
  assert.match(caught(ProtocolError, () => decodeRegistration(new TextEncoder().encode('{nope'))).message, /not valid UTF-8 JSON/);
  const bad = { ...record(), agents: ['Not An Agent'] };
  assert.match(caught(ProtocolError, () => decodeRegistration(encodeRegistryMessage(bad))).message, /\/agents\/0/);
});

test('a record from a newer node: fields this reader does not know are dropped, the known ones still checked', () => {
  const service = { name: 'web', port: 80, tags: [], health: 'passing', health_source: 'none', since: 1, weight: 5 };
  const newer = { ...record(), surprise: { nested: 1 }, services: [service] } as unknown as RegistrationMessage;
  const back = decodeRegistration(encodeRegistryMessage(newer));
  assert.equal((back as unknown as Record<string, unknown>)['surprise'], undefined);
  assert.deepEqual(back.services, [{ name: 'web', port: 80, tags: [], health: 'passing', health_source: 'none', since: 1 }]);
  assert.deepEqual(back.facts, record().facts, 'facts are free-form and kept whole');
  const badKnown = { ...newer, services: [{ ...service, port: 0 }] } as unknown as RegistrationMessage;
  assert.match(caught(ProtocolError, () => decodeRegistration(encodeRegistryMessage(badKnown))).message, /\/services\/0\/port/);
  const lifecycle = { ...buildLifecycle(node, 'startup', 1), reason: 'upgrade' };
  assert.equal((decodeLifecycle(encodeRegistryMessage(lifecycle)) as unknown as Record<string, unknown>)['reason'], undefined);
});

test('lifecycle events decode and are published per collective on their own subject', () => {
  const e = decodeLifecycle(encodeRegistryMessage(buildLifecycle(node, 'shutdown', 5)));
  assert.deepEqual([e.event, e.identity, e.time], ['shutdown', 'web1', 5]);
  assert.equal(lifecycleSubject('europe', 'shutdown', 'web1.example.com'), 'europe.lifecycle.shutdown.web1.example.com');
  assert.equal(lifecycleWatchSubject('europe'), 'europe.lifecycle.>');
  assert.equal(registryBucket('europe'), 'cohort_registry_europe');
});

test('registry keys escape the identity characters KV keys cannot hold, reversibly', () => {
  for (const id of ['web1', 'web1.example.com', 'node:1@dc-2', 'a_b-c']) {
    const key = registryKey(id);
    assert.match(key, /^[-/_=.a-zA-Z0-9]+$/);
    assert.equal(identityFromRegistryKey(key), id);
  }
  assert.equal(registryKey('x:y@z'), 'x=3Ay=40z');
});

test('RegistryView applies puts and deletes, skips invalid records, and hides records past the max age', () => {
  const v = new RegistryView('cohort_registry_cohort');
  v.maxAgeMs = 10_000;
  v.apply(entry(record(), 1000));
  v.apply(entry(record({ identity: 'db1' }), 5000));
  assert.deepEqual(v.nodes(6000).map((n) => n.identity), ['web1', 'db1']);
  assert.equal(v.get('db1', 6000)?.updatedAt, 5000);
  // web1 wrote at 1000: gone at 11000 even without a delete (expiry sends none).
  assert.deepEqual(v.nodes(11_000).map((n) => n.identity), ['db1']);
  v.apply(entry(record({ identity: 'db1' }), 0, 'DEL'));
  assert.deepEqual(v.nodes(6000).map((n) => n.identity), ['web1']);
  v.apply(entry(new TextEncoder().encode('garbage'), 6000, 'PUT', 'web1'));
  assert.equal(v.invalid, 1);
  assert.equal(v.get('web1', 6000), undefined, 'an undecodable record replaces (removes) the old one');
  v.apply(entry(record({ identity: 'db2' }), 6000, 'PUT', registryKey('db3')));
  assert.equal(v.invalid, 2, 'a key holding another node’s record is refused');
});

test('the view a record gives matches filters exactly as the node itself would', () => {
  const seen = nodeViewOf(record());
  const filter = { fact: [{ fact: 'os.family', operator: '==' as const, value: 'debian' }], cf_class: ['apache'], agent: ['echo'], identity: ['/^web/'], compound: ['cpus>=4 and not mysql'] };
  assert.equal(matchFilter(filter, seen), true);
  assert.equal(matchFilter({ ...filter, agent: ['nrpe'] }, seen), false);
});
