// --limit / --batch counts (N, N%, rounding up) and seeded subsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchTargets, limitTargets, parseCount, resolveCount, seededRandom } from '@cohort/client';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `node${String(i + 1).padStart(2, '0')}`);

test('parseCount accepts N and N%', () => {
  assert.deepEqual(parseCount('10'), { kind: 'nodes', n: 10 });
  assert.deepEqual(parseCount(3), { kind: 'nodes', n: 3 });
  assert.deepEqual(parseCount('25%'), { kind: 'percent', percent: 25 });
  assert.deepEqual(parseCount('12.5%'), { kind: 'percent', percent: 12.5 });
});

test('parseCount refuses zero, negatives, junk and more than 100%', () => {
  for (const bad of ['0', '-1', '1.5', 'ten', '', '0%', '101%', '%', '5 %x']) {
    assert.throws(() => parseCount(bad, '--limit'), (err: Error & { code?: string }) => err.code === 'USAGE' && err.message.includes('--limit'), bad);
  }
});

test('percentages round up against the discovered count, never beyond it', () => {
  assert.equal(resolveCount(parseCount('50%'), 5), 3);
  assert.equal(resolveCount(parseCount('40%'), 5), 2);
  assert.equal(resolveCount(parseCount('10%'), 5), 1);
  assert.equal(resolveCount(parseCount('100%'), 7), 7);
  assert.equal(resolveCount(parseCount('20%'), 10), 2, 'exact percentages are not bumped by float error');
  assert.equal(resolveCount(parseCount('10'), 4), 4);
  assert.equal(resolveCount(parseCount('10'), 0), 0);
});

test('without a seed, the limit takes the first N in discovery order', () => {
  assert.deepEqual(limitTargets(['c', 'a', 'b', 'd'], parseCount('2')), ['c', 'a']);
  assert.deepEqual(limitTargets(['c', 'a', 'b', 'd'], parseCount('50%')), ['c', 'a']);
});

test('with a seed, the subset is deterministic and independent of discovery order', () => {
  const all = ids(20);
  const a = limitTargets(all, parseCount('5'), 42);
  const b = limitTargets([...all].reverse(), parseCount('5'), 42);
  assert.equal(a.length, 5);
  assert.deepEqual(a, b);
  assert.equal(new Set(a).size, 5);
  for (const id of a) assert.ok(all.includes(id));
  const others = [1, 2, 3, 4, 5].map((s) => limitTargets(all, parseCount('5'), s).join());
  assert.ok(others.some((o) => o !== a.join()), 'different seeds pick different subsets');
  assert.notDeepEqual(a, all.slice(0, 5), 'seeded choice is not simply the first N');
});

test('seededRandom is repeatable and in [0, 1)', () => {
  const r1 = seededRandom(7);
  const r2 = seededRandom(7);
  for (let i = 0; i < 100; i++) {
    const v = r1();
    assert.equal(v, r2());
    assert.ok(v >= 0 && v < 1);
  }
});

test('batches split in order, the last one possibly smaller', () => {
  assert.deepEqual(batchTargets(ids(5), parseCount('2')), [['node01', 'node02'], ['node03', 'node04'], ['node05']]);
  assert.deepEqual(batchTargets(ids(5), parseCount('50%')).map((b) => b.length), [3, 2]);
  assert.deepEqual(batchTargets(ids(3), parseCount('10')), [['node01', 'node02', 'node03']]);
  assert.deepEqual(batchTargets([], parseCount('2')), []);
});
