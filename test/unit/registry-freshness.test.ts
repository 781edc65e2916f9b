// When the registry is trusted for discovery, and when a node is stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRegistryMessage, decodeRegistration, RegistryTag, type RegistrationMessage } from '@cohort/core';
import { isStale, recordAgeMs, registeredNode, registryFreshness, staleAfterMs, staleGraceMs, type RegisteredNode } from '@cohort/client';

function node(identity: string, updatedAt: number, interval = 60): RegisteredNode {
  const r: RegistrationMessage = {
    protocol: RegistryTag.Registration,
    identity,
    collectives: ['cohort'],
    facts: {},
    classes: [],
    agents: ['rpcutil'],
    version: '1',
    started_at: 0,
    time: updatedAt,
    interval,
  };
  return registeredNode(decodeRegistration(encodeRegistryMessage(r)), updatedAt);
}

test('a node is stale once its record is older than its interval plus the grace (or an explicit threshold)', () => {
  const now = 1_000_000;
  const n = node('a', now - 60_000 - staleGraceMs);
  assert.equal(staleAfterMs(n), 90_000);
  assert.equal(isStale(n, now), false, 'exactly at the limit is still current');
  assert.equal(isStale(n, now + 1), true);
  assert.equal(isStale(node('b', now - 5000), now, 4000), true);
  assert.equal(isStale(node('b', now - 5000, 1), now), false, 'a 1 s heartbeat still has the 30 s grace');
  assert.equal(recordAgeMs(node('c', now + 500), now), 0, 'clock skew never gives a negative age');
});

test('an empty registry is not fresh', () => {
  const f = registryFreshness([], 0);
  assert.equal(f.fresh, false);
  assert.match(f.reason, /no live records/);
});

test('a registry is fresh when at least one node refreshed its record in time', () => {
  const now = 10_000_000;
  const f = registryFreshness([node('old', now - 500_000), node('new', now - 1000)], now);
  assert.equal(f.fresh, true);
  assert.match(f.reason, /2 node\(s\) registered/);
});

test('a registry nobody refreshed within an interval is not fresh, and says how old its newest record is', () => {
  const now = 10_000_000;
  const f = registryFreshness([node('a', now - 200_000), node('b', now - 120_000)], now);
  assert.equal(f.fresh, false);
  assert.match(f.reason, /newest is 120 s old/);
});
