// The discovery rules: when the registry answers, when broadcast runs instead, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilter, decodeRegistration, encodeRegistryMessage, matchFilter, RegistryTag, UsageError, type Facts, type Filter } from '@cohort/core';
import { decideDiscovery, matchRegistry, registeredNode, type RegisteredNode, type RegistryState } from '@cohort/client';
import { resolveDiscoveryChoice } from '@cohort/cli';
import { caught } from '../harness/messages.js';

const now = 50_000_000;

function node(identity: string, facts: Facts, classes: string[] = [], agents: string[] = ['rpcutil'], age = 1000): RegisteredNode {
  const record = decodeRegistration(
    encodeRegistryMessage({ protocol: RegistryTag.Registration, identity, collectives: ['cohort'], facts, classes, agents, version: '1', started_at: 0, time: now - age, interval: 60 }),
  );
  return registeredNode(record, now - age);
}

const fleet = [
  node('web1', { role: 'web', os: { family: 'Debian' }, cpus: 4 }, ['apache'], ['rpcutil', 'echo']),
  node('web2', { role: 'web', os: { family: 'Debian' }, cpus: 8 }, ['apache']),
  node('db1', { role: 'db', os: { family: 'RedHat' }, cpus: 16 }, ['mysql']),
];
const loaded: RegistryState = { kind: 'loaded', nodes: fleet, now };
const f = (spec: Parameters<typeof buildFilter>[0]): Filter => buildFilter(spec);

test('auto with a fresh registry: registry discovery, identities sorted, and a note for -v', () => {
  const d = decideDiscovery('auto', loaded, f({ fact: ['role=web'] }));
  assert.equal(d.method, 'registry');
  assert.deepEqual(d.method === 'registry' ? d.identities : [], ['web1', 'web2']);
  assert.match(d.note, /registry discovery: 2 of 3 registered node\(s\) match/);
});

test('matchRegistry gives exactly what matchFilter gives node by node, for every filter kind', () => {
  const filters = [
    f({}),
    f({ fact: ['cpus>=8'] }),
    f({ cls: ['/^apa/'] }),
    f({ agent: ['echo'] }),
    f({ identity: ['/^web/', 'db1'] }),
    f({ with: ['mysql role=db'] }),
    f({ select: ["(role=web and cpus>4) or fact('os.family')=redhat"] }),
    f({ select: ['not apache'] }),
  ];
  for (const filter of filters) {
    const expected = fleet.filter((n) => matchFilter(filter, n.view)).map((n) => n.identity).sort();
    const got = matchRegistry(fleet, filter);
    assert.deepEqual(got.identities, expected, JSON.stringify(filter));
    assert.equal(got.nodeData, undefined);
  }
});

test('a filter that needs fstat falls back to broadcast, even with --dm registry', () => {
  const filter = f({ select: ["fstat('/etc/hosts').size>0"] });
  for (const requested of ['auto', 'registry'] as const) {
    const d = decideDiscovery(requested, loaded, filter);
    assert.equal(d.method, 'broadcast');
    assert.match(d.note, /needs node-side data \(fstat\(\)\)/);
  }
  assert.equal(matchRegistry(fleet, filter).nodeData, 'fstat');
});

test('fstat that the filter never reaches does not force broadcast (the answer is exact without it)', () => {
  const d = decideDiscovery('auto', loaded, f({ fact: ['role=nosuch'], select: ["fstat('/etc/hosts').size>0"] }));
  assert.equal(d.method, 'registry');
  assert.deepEqual(d.method === 'registry' ? d.identities : ['x'], []);
});

test('no registry: auto broadcasts and says why; --dm registry is a usage error', () => {
  const none: RegistryState = { kind: 'unavailable', reason: 'there is no registry bucket cohort_registry_cohort' };
  const d = decideDiscovery('auto', none, f({}));
  assert.equal(d.method, 'broadcast');
  assert.match(d.note, /no registry \(there is no registry bucket/);
  assert.match(caught(UsageError, () => decideDiscovery('registry', none, f({}))).message, /--dm registry: there is no registry bucket.*--dm broadcast/);
});

test('a stale registry: auto broadcasts, --dm registry still uses it and says it is stale', () => {
  const stale: RegistryState = { kind: 'loaded', nodes: fleet.map((n) => ({ ...n, updatedAt: now - 600_000 })), now };
  assert.equal(decideDiscovery('auto', stale, f({})).method, 'broadcast');
  const d = decideDiscovery('registry', stale, f({}));
  assert.equal(d.method, 'registry');
  assert.match(d.note, /stale/);
  const empty: RegistryState = { kind: 'loaded', nodes: [], now };
  assert.match(decideDiscovery('auto', empty, f({})).note, /not fresh \(the registry holds no live records\)/);
});

test('--dm with --nodes: flatfile needs a file, stdin reads -, broadcast/registry refuse a list', () => {
  assert.deepEqual(resolveDiscoveryChoice(undefined, undefined), { method: 'auto', nodesSource: undefined });
  assert.deepEqual(resolveDiscoveryChoice(undefined, 'list.txt'), { method: 'auto', nodesSource: 'list.txt' });
  assert.deepEqual(resolveDiscoveryChoice('flatfile', 'list.txt'), { method: 'auto', nodesSource: 'list.txt' });
  assert.deepEqual(resolveDiscoveryChoice('stdin', undefined), { method: 'auto', nodesSource: '-' });
  assert.deepEqual(resolveDiscoveryChoice('registry', undefined), { method: 'registry', nodesSource: undefined });
  assert.deepEqual(resolveDiscoveryChoice('broadcast', undefined), { method: 'broadcast', nodesSource: undefined });
  assert.match(caught(UsageError, () => resolveDiscoveryChoice('flatfile', undefined)).message, /--nodes FILE/);
  assert.match(caught(UsageError, () => resolveDiscoveryChoice('stdin', 'list.txt')).message, /drop --nodes list.txt/);
  assert.match(caught(UsageError, () => resolveDiscoveryChoice('registry', 'list.txt')).message, /nothing to discover with --dm registry/);
  assert.match(caught(UsageError, () => resolveDiscoveryChoice('carrier-pigeon', undefined)).message, /not a discovery method/);
});
