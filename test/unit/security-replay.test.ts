// The replay cache: remembers ids within their validity window, forgets them
// after, and refuses (fails closed) when full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayCache, ReplayVerdict } from '@cohort/core';

test('an id is refused the second time while it is valid, and forgotten after it expires', () => {
  const cache = new ReplayCache(10);
  assert.equal(cache.check('a', 1000, 0), ReplayVerdict.New);
  assert.equal(cache.check('a', 1000, 500), ReplayVerdict.Replayed);
  assert.equal(cache.check('a', 1000, 999), ReplayVerdict.Replayed);
  assert.equal(cache.size, 1);
  assert.equal(cache.check('a', 2000, 1000), ReplayVerdict.New, 'expired ids are forgotten (the TTL check refuses them anyway)');
  assert.equal(cache.size, 1);
});

test('a request already past its window is not remembered', () => {
  const cache = new ReplayCache(10);
  assert.equal(cache.check('late', 100, 200), ReplayVerdict.New);
  assert.equal(cache.size, 0);
});

test('bounded: when full of unexpired ids new ones are refused, and accepted again once some expire', () => {
  const cache = new ReplayCache(3);
  assert.equal(cache.check('a', 100, 0), ReplayVerdict.New);
  assert.equal(cache.check('b', 300, 0), ReplayVerdict.New);
  assert.equal(cache.check('c', 200, 0), ReplayVerdict.New);
  assert.equal(cache.check('d', 400, 50), ReplayVerdict.Full);
  assert.equal(cache.check('a', 100, 50), ReplayVerdict.Replayed, 'a full cache still recognises replays');
  assert.equal(cache.size, 3);
  // At 150 'a' expired: one slot frees up.
  assert.equal(cache.check('d', 400, 150), ReplayVerdict.New);
  assert.equal(cache.check('e', 400, 150), ReplayVerdict.Full);
  // At 300 'c' (200) and 'b' (300) are gone, in expiry order, whatever the insertion order.
  assert.equal(cache.check('e', 400, 300), ReplayVerdict.New);
  assert.equal(cache.size, 2);
  assert.equal(cache.check('b', 500, 300), ReplayVerdict.New);
  assert.throws(() => new ReplayCache(0), /positive integer/);
});

test('many ids with mixed expiries expire in order (heap)', () => {
  const cache = new ReplayCache(100_000);
  const expiries = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 5000) + 1);
  expiries.forEach((at, i) => assert.equal(cache.check(`id${i}`, at, 0), ReplayVerdict.New));
  for (let t = 0; t <= 5000; t += 250) {
    cache.check('probe', 0, t);
    assert.equal(cache.size, expiries.filter((at) => at > t).length, `at ${t}`);
  }
});
