// `cohort registry check`: grading and plugin output (pure parts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRegistration, encodeRegistryMessage, RegistryTag } from '@cohort/core';
import { registeredNode, type RegisteredNode } from '@cohort/client';
import { evaluateRegistry, formatRegistryCheck, unknownRegistryCheck } from '@cohort/cli';

const now = 10_000_000;
function node(identity: string, ageMs: number): RegisteredNode {
  const r = { protocol: RegistryTag.Registration, identity, collectives: ['cohort'], facts: {}, classes: [], agents: ['rpcutil'], version: '1', started_at: 0, time: 0, interval: 60 } as const;
  return registeredNode(decodeRegistration(encodeRegistryMessage({ ...r, collectives: [...r.collectives], classes: [], agents: [...r.agents] })), now - ageMs);
}
const fresh = [node('a', 1000), node('b', 2000), node('c', 3000)];

test('all current: OK with MCollective perfdata', () => {
  const r = evaluateRegistry(fresh, fresh, now, { critical: 1 });
  assert.equal(r.state, 0);
  const out = formatRegistryCheck(r, 'cohort_registry_cohort', 12);
  assert.equal(out, 'REGISTRY OK: 3 of 3 node(s) current, 0 stale, 0 missing|totalhosts=3 oldhosts=0 currenthosts=3 missinghosts=0 ignoredrecords=0 checktime=0.012s\n');
});

test('a node that missed its heartbeat is stale: CRITICAL by default, listed with its age', () => {
  const all = [...fresh, node('d', 95_000)];
  const r = evaluateRegistry(all, all, now, { critical: 1 });
  assert.equal(r.state, 2);
  assert.deepEqual(r.stale.map((s) => s.identity), ['d']);
  const out = formatRegistryCheck(r, 'b', 0);
  assert.match(out, /^REGISTRY CRITICAL: 3 of 4 node\(s\) current, 1 stale, 0 missing\|totalhosts=4 oldhosts=1 currenthosts=3 missinghosts=0/);
  assert.match(out, /^STALE: d: last registered 95 s ago \(heartbeat every 60 s, stale after 90 s\)$/m);
});

test('expected nodes without a record are missing; thresholds grade WARNING and CRITICAL', () => {
  const expected = ['a', 'x', 'y'];
  const warn = evaluateRegistry(fresh, fresh, now, { expected, warning: 1, critical: 3 });
  assert.equal(warn.state, 1);
  assert.deepEqual(warn.missing, ['x', 'y']);
  assert.equal(warn.total, 5);
  assert.match(formatRegistryCheck(warn, 'b', 0), /^MISSING: x: not in the registry$/m);
  assert.equal(evaluateRegistry(fresh, fresh, now, { expected, warning: 1, critical: 2 }).state, 2);
  assert.equal(evaluateRegistry(fresh, fresh, now, { expected: ['a'], warning: 1, critical: 2 }).state, 0);
});

test('--stale overrides the per-node threshold; expected nodes outside the filter are still judged', () => {
  const r = evaluateRegistry([fresh[0]!], fresh, now, { staleAfterMs: 1500, expected: ['c'], critical: 5, warning: 1 });
  assert.deepEqual(r.stale.map((s) => s.identity), ['c']);
  assert.deepEqual(r.current, ['a']);
  assert.equal(r.state, 1);
});

test('nothing to judge is UNKNOWN; unknown output keeps to one line without a perfdata bar', () => {
  assert.equal(evaluateRegistry([], [], now, { critical: 1 }).state, 3);
  assert.equal(unknownRegistryCheck('no | bucket\nmore'), 'REGISTRY UNKNOWN: no / bucket\n');
});

test('ignored registry records (not signed by the node they name) make an all-current registry WARNING and are listed', () => {
  const r = evaluateRegistry(fresh, fresh, now, { critical: 1, ignored: [{ identity: 'ghost', reason: 'unknown key 0011', at: now }] });
  assert.equal(r.state, 1);
  const out = formatRegistryCheck(r, 'b', 0);
  assert.match(out, /^REGISTRY WARNING: 3 of 3 node\(s\) current, 0 stale, 0 missing, 1 record\(s\) ignored\|.*ignoredrecords=1/);
  assert.match(out, /^IGNORED: ghost: unknown key 0011$/m);
  assert.match(formatRegistryCheck(evaluateRegistry(fresh, fresh, now, { critical: 1, verified: false }), 'b', 0), /\(records not verified: no trusted node keys\)/);
});
