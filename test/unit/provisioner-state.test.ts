// Node states: transitions, claims with compare-and-set and leases, retries
// with backoff (with an in-memory store and hand-driven time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attemptFailed,
  backoffDelay,
  claimBlocker,
  claimNode,
  finished,
  LostClaimError,
  newRecord,
  notifiedDone,
  released,
  resetForRetry,
  stepCompleted,
  StepFailure,
  wantsWork,
  withRetries,
  type Claim,
} from '../../packages/provisioner/src/index.ts';
import { ManualTime, MemoryStore } from './provisioner-fakes.ts';

const a = { owner: 'prov-a', instance: 'prov-a/1' };
const b = { owner: 'prov-b', instance: 'prov-b/1' };
const policy = { maxAttempts: 3, retryDelayMs: 5000, cooldownMs: 600_000 };

async function take(store: MemoryStore, time: ManualTime, who = a, id = 'web1'): Promise<Claim> {
  const r = await claimNode(store, id, who, time, 30_000);
  assert.ok('claim' in r, 'skipped' in r ? r.skipped : '');
  return r.claim;
}

test('a claim is exclusive until its lease runs out; then anyone resumes after the last completed step', async () => {
  const store = new MemoryStore();
  const time = new ManualTime();
  const first = await take(store, time);
  assert.equal(first.record.phase, 'running');
  assert.equal(first.record.attempts, 1);
  await first.save((r, now) => stepCompleted(r, 'lock', {}, now));
  await first.save((r, now) => stepCompleted(r, 'gencsr', { csr: 'CSR' }, now));
  const blocked = await claimNode(store, 'web1', b, time, 30_000);
  assert.ok('skipped' in blocked);
  assert.match(blocked.skipped, /^claimed by prov-a until \d{4}-/);
  time.t += 30_001; // prov-a died: its lease ran out
  const second = await take(store, time, b);
  assert.deepEqual(second.record.completed, ['lock', 'gencsr']);
  assert.equal(second.record.data.csr, 'CSR');
  assert.equal(second.record.attempts, 2);
  assert.equal(second.record.owner, 'prov-b');
  // The old holder's next write finds someone else wrote: it loses the claim and stops.
  await assert.rejects(first.save((r, now) => stepCompleted(r, 'sign', {}, now)), LostClaimError);
  assert.equal(first.signal.aborted, true);
  assert.deepEqual(store.record('web1')?.completed, ['lock', 'gencsr']);
});

test('two claimants racing on a new node: exactly one wins', async () => {
  const store = new MemoryStore();
  const time = new ManualTime();
  const results = await Promise.all([claimNode(store, 'n1', a, time, 30_000), claimNode(store, 'n1', b, time, 30_000)]);
  assert.equal(results.filter((r) => 'claim' in r).length, 1);
  const lost = results.find((r) => 'skipped' in r);
  assert.ok(lost && 'skipped' in lost);
  assert.match(lost.skipped, /claimed/);
});

test('done is never claimed again; retry resets it to the first step', async () => {
  const store = new MemoryStore();
  const time = new ManualTime();
  const c = await take(store, time);
  await c.save((r, now) => stepCompleted(r, 'verify', { fingerprint: 'FP' }, now));
  await c.save((r, now) => finished(r, now));
  // Finished but not yet notified: still held.
  assert.match((await claimNode(store, 'web1', b, time, 1000).then((r) => ('skipped' in r ? r.skipped : ''))), /claimed by prov-a/);
  await c.save((r, now) => notifiedDone(r, now));
  c.end();
  time.t += 10 ** 9;
  const again = await claimNode(store, 'web1', b, time, 1000);
  assert.ok('skipped' in again);
  assert.match(again.skipped, /provisioned already .*cohort provisioner retry web1 provisions it again/);
  const reset = resetForRetry(store.record('web1')!, time.now());
  assert.deepEqual([reset.phase, reset.completed, reset.data, reset.notified, reset.attempts], ['pending', [], {}, false, 1]);
  assert.equal(claimBlocker(reset, b, time.now()), undefined);
});

test('failed attempts: pending for the retry delay, failed for the cool-down after max attempts, then a new round', () => {
  let r = stepCompleted(newRecord('n', 0), 'lock', {}, 0);
  r = attemptFailed({ ...r, phase: 'running', owner: 'prov-a', attempts: 1 }, 'sign', 'sign: boom', 1000, policy);
  assert.deepEqual([r.phase, r.failures, r.retry_after, r.owner, r.error, r.step], ['pending', 1, 6000, null, 'sign: boom', 'sign']);
  assert.match(claimBlocker(r, a, 5999) ?? '', /waiting to retry until/);
  assert.equal(wantsWork(r, 5999), false);
  assert.equal(wantsWork(r, 6000), true);
  r = attemptFailed(r, 'sign', 'again', 7000, policy);
  r = attemptFailed(r, 'sign', 'and again', 8000, policy);
  assert.deepEqual([r.phase, r.failures, r.retry_after], ['failed', 3, 608_000]);
  assert.match(claimBlocker(r, a, 9000) ?? '', /failed; cooling down until/);
  assert.equal(claimBlocker(r, a, 608_000), undefined);
});

test('wantsWork: what a scan of the bucket queues', () => {
  const base = newRecord('n', 0);
  assert.equal(wantsWork({ ...base, phase: 'running', owner: 'x', lease_until: 100 }, 50), false);
  assert.equal(wantsWork({ ...base, phase: 'running', owner: 'x', lease_until: 100 }, 101), true, 'a dead provisioner\'s node');
  assert.equal(wantsWork(finished(base, 0), 0), true, 'done but not notified, not held');
  assert.equal(wantsWork(notifiedDone(finished(base, 0), 0), 0), false);
  assert.equal(wantsWork(released({ ...base, phase: 'running', owner: 'x', lease_until: 10 ** 12 }, 5), 5), true);
});

test('a released node is resumed at once by anyone, keeping its completed steps', async () => {
  const store = new MemoryStore();
  const time = new ManualTime();
  const c = await take(store, time);
  await c.save((r, now) => stepCompleted(r, 'lock', {}, now));
  await c.save((r, now) => released(r, now));
  c.end();
  const next = await take(store, time, b);
  assert.deepEqual(next.record.completed, ['lock']);
  assert.equal(next.record.phase, 'running');
});

test('backoff doubles up to the maximum', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 1000, 10_000)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('withRetries: tries retries+1 times with backoff, stops at once for errors another try cannot fix', async () => {
  const time = new ManualTime();
  const start = time.now();
  const waits: number[] = [];
  let tries = 0;
  const out = await withRetries(
    async () => {
      if (++tries < 3) throw new Error('flaky');
      return 'ok';
    },
    { retries: 3, initialMs: 100, maxMs: 1000, time, onRetry: (_e, _n, w) => waits.push(w) },
  );
  assert.equal(out, 'ok');
  assert.deepEqual(waits, [100, 200]);
  assert.equal(time.now() - start, 300);
  tries = 0;
  await assert.rejects(withRetries(async () => { tries++; throw new Error('always'); }, { retries: 2, initialMs: 1, maxMs: 1, time }), /always/);
  assert.equal(tries, 3);
  tries = 0;
  await assert.rejects(withRetries(async () => { tries++; throw new StepFailure('bad template', { retryable: false }); }, { retries: 5, initialMs: 1, maxMs: 1, time }), /bad template/);
  assert.equal(tries, 1);
});

test('the lease is renewed every third of it while the work runs; a renewal that finds another writer loses the claim', async () => {
  const store = new MemoryStore();
  const ticks: Array<() => void> = [];
  const time = Object.assign(new ManualTime(), { every: (ms: number, fn: () => void) => (ticks.push(fn), assert.equal(ms, 10_000), { stop: () => ticks.splice(0) }) });
  const c = await take(store, time);
  c.startRenewal(() => assert.fail('no store error expected'));
  time.t += 10_000;
  ticks[0]!();
  await c.save((r) => r); // after the renewal (writes are serialised)
  assert.equal(store.record('web1')!.lease_until, time.now() + 30_000);
  // Someone else writes (e.g. cohort provisioner retry --force): the next renewal loses the claim.
  const theirs = await store.get('web1');
  await store.update({ ...theirs!.record, owner: 'prov-b' }, theirs!.revision);
  ticks[0]!();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(c.signal.aborted, true);
  assert.equal(ticks.length, 0, 'renewal stopped');
  assert.equal(store.record('web1')!.owner, 'prov-b');
});
