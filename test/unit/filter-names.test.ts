import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyFilter, matchFilter, parseFactExpression, plainIdentities, type Filter, type NodeView } from '@cohort/core';

const node: NodeView = {
  identity: 'Web01.example.com',
  facts: { os: 'debian', cpus: 4 },
  classes: ['apache', 'Role::Web', 'ntp'],
  agents: ['rpcutil', 'package', 'Service'],
};

function filterWith(parts: Partial<Filter>): Filter {
  return { ...emptyFilter(), ...parts };
}

test('an empty filter matches everything', () => {
  assert.equal(matchFilter(emptyFilter(), node), true);
  assert.equal(matchFilter(emptyFilter(), { identity: 'x', facts: {}, classes: [], agents: [] }), true);
});

test('class: exact and case-insensitive', () => {
  assert.equal(matchFilter(filterWith({ cf_class: ['apache'] }), node), true);
  assert.equal(matchFilter(filterWith({ cf_class: ['APACHE'] }), node), true);
  assert.equal(matchFilter(filterWith({ cf_class: ['role::web'] }), node), true);
  assert.equal(matchFilter(filterWith({ cf_class: ['apach'] }), node), false, 'exact, not a prefix');
});

test('class: /regex/ is case-insensitive and unanchored', () => {
  assert.equal(matchFilter(filterWith({ cf_class: ['/PACH/'] }), node), true);
  assert.equal(matchFilter(filterWith({ cf_class: ['/^role::/'] }), node), true);
  assert.equal(matchFilter(filterWith({ cf_class: ['/^web/'] }), node), false);
});

test('identity: exact and case-insensitive, regex', () => {
  assert.equal(matchFilter(filterWith({ identity: ['web01.example.com'] }), node), true);
  assert.equal(matchFilter(filterWith({ identity: ['web01'] }), node), false);
  assert.equal(matchFilter(filterWith({ identity: ['/^WEB\\d+/'] }), node), true);
  assert.equal(matchFilter(filterWith({ identity: ['/^db/'] }), node), false);
});

test('agent: exact and case-insensitive, regex', () => {
  assert.equal(matchFilter(filterWith({ agent: ['package'] }), node), true);
  assert.equal(matchFilter(filterWith({ agent: ['service'] }), node), true);
  assert.equal(matchFilter(filterWith({ agent: ['puppet'] }), node), false);
  assert.equal(matchFilter(filterWith({ agent: ['/^pack/'] }), node), true);
  assert.equal(matchFilter(filterWith({ agent: ['/^pup/'] }), node), false);
});

test('an invalid regex on the wire never matches and does not throw', () => {
  assert.equal(matchFilter(filterWith({ cf_class: ['/ap(/'] }), node), false);
  assert.equal(matchFilter(filterWith({ identity: ['/(/'] }), node), false);
});

test('several identities are ORed', () => {
  assert.equal(matchFilter(filterWith({ identity: ['db01', 'web01.example.com'] }), node), true);
  assert.equal(matchFilter(filterWith({ identity: ['db01', 'db02'] }), node), false);
});

test('several classes are ANDed', () => {
  assert.equal(matchFilter(filterWith({ cf_class: ['apache', 'ntp'] }), node), true);
  assert.equal(matchFilter(filterWith({ cf_class: ['apache', 'mysql'] }), node), false);
});

test('several agents are ANDed', () => {
  assert.equal(matchFilter(filterWith({ agent: ['rpcutil', 'package'] }), node), true);
  assert.equal(matchFilter(filterWith({ agent: ['rpcutil', 'puppet'] }), node), false);
});

test('several compounds are ANDed', () => {
  assert.equal(matchFilter(filterWith({ compound: ['apache', 'os=debian'] }), node), true);
  assert.equal(matchFilter(filterWith({ compound: ['apache', 'os=redhat'] }), node), false);
});

test('different kinds are ANDed: one failing kind fails the filter', () => {
  const all: Filter = {
    identity: ['/web/'],
    cf_class: ['apache'],
    agent: ['package'],
    fact: [parseFactExpression('cpus>=4')],
    compound: ['ntp and os=debian'],
  };
  assert.equal(matchFilter(all, node), true);
  assert.equal(matchFilter({ ...all, identity: ['db01'] }, node), false);
  assert.equal(matchFilter({ ...all, cf_class: ['mysql'] }, node), false);
  assert.equal(matchFilter({ ...all, agent: ['puppet'] }, node), false);
  assert.equal(matchFilter({ ...all, fact: [parseFactExpression('cpus>4')] }, node), false);
  assert.equal(matchFilter({ ...all, compound: ['not ntp'] }, node), false);
});

test('a compound that does not parse never matches', () => {
  assert.equal(matchFilter(filterWith({ compound: ['apache and'] }), node), false);
  assert.equal(matchFilter(filterWith({ compound: ['(apache'] }), node), false);
});

test('a malformed filter object does not throw', () => {
  const broken = { fact: [null], cf_class: [], agent: [], identity: [], compound: [] } as unknown as Filter;
  assert.equal(matchFilter(broken, node), false);
});

test('plainIdentities: only plain identities', () => {
  assert.deepEqual(plainIdentities(filterWith({ identity: ['a', 'b'] })), ['a', 'b']);
  assert.equal(plainIdentities(emptyFilter()), undefined);
  assert.equal(plainIdentities(filterWith({ identity: ['a', '/b/'] })), undefined);
  assert.equal(plainIdentities(filterWith({ identity: ['a'], cf_class: ['x'] })), undefined);
  assert.equal(plainIdentities(filterWith({ identity: ['a'], agent: ['x'] })), undefined);
  assert.equal(plainIdentities(filterWith({ identity: ['a'], compound: ['x'] })), undefined);
  assert.equal(plainIdentities(filterWith({ identity: ['a'], fact: [parseFactExpression('a=b')] })), undefined);
});
