// The scatter/gather collector: ends by count, timer or stall; marks unexpected replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Collector, type Collected } from '@cohort/client';
import { FakeClock, flush } from './client-fakes.js';

async function drain<T>(c: Collector<T>): Promise<Array<Collected<T>>> {
  const out: Array<Collected<T>> = [];
  for await (const item of c) out.push(item);
  return out;
}

test('expect mode ends by count once sealed and everyone replied', async () => {
  const clock = new FakeClock();
  const c = new Collector<number>({ mode: 'expect', timeoutMs: 1000, clock });
  c.expect('a');
  c.expect('b');
  const items = drain(c);
  c.push('a', 1);
  await flush();
  assert.equal(c.ended, false, 'not sealed yet');
  c.seal();
  assert.equal(c.ended, false, 'b has not replied');
  c.push('b', 2);
  const result = await c.done;
  assert.equal(result.reason, 'count');
  assert.deepEqual(result.responded, ['a', 'b']);
  assert.deepEqual(result.noResponse, []);
  assert.deepEqual((await items).map((i) => i.value), [1, 2]);
  assert.equal(clock.pending(), 0, 'no timer left behind');
});

test('expect mode ends by timer and lists who did not reply', async () => {
  const clock = new FakeClock();
  const c = new Collector<string>({ mode: 'expect', timeoutMs: 1000, clock });
  for (const id of ['a', 'b', 'c']) c.expect(id);
  c.seal();
  c.push('b', 'x');
  await clock.advance(999);
  assert.equal(c.ended, false);
  await clock.advance(1);
  const result = await c.done;
  assert.equal(result.reason, 'timer');
  assert.deepEqual(result.noResponse, ['a', 'c']);
  assert.deepEqual(result.responded, ['b']);
});

test('the timer is counted from the latest expect() and only applies once sealed', async () => {
  const clock = new FakeClock();
  const c = new Collector<number>({ mode: 'expect', timeoutMs: 100, clock });
  c.expect('a');
  await clock.advance(80);
  c.expect('b'); // deadline moves to 180
  await clock.advance(150); // t = 230, past the deadline, but not sealed
  assert.equal(c.ended, false, 'an unsealed collector waits for more targets');
  c.seal();
  assert.equal(c.ended, true);
  assert.equal((await c.done).reason, 'timer');
});

test('a sealed collector with nobody expected ends at once', async () => {
  const c = new Collector<number>({ mode: 'expect', timeoutMs: 1000, clock: new FakeClock() });
  c.seal();
  assert.deepEqual(await drain(c), []);
  assert.equal((await c.done).reason, 'count');
});

test('replies from unexpected senders and repeat replies are yielded but marked', async () => {
  const clock = new FakeClock();
  const c = new Collector<number>({ mode: 'expect', timeoutMs: 1000, clock });
  c.expect('a');
  c.expect('b');
  c.seal();
  const items = drain(c);
  c.push('a', 1);
  c.push('zz', 2);
  c.push('a', 3);
  c.push('b', 4);
  const result = await c.done;
  assert.deepEqual(
    (await items).map((i) => [i.sender, i.unexpected]),
    [
      ['a', false],
      ['zz', true],
      ['a', true],
      ['b', false],
    ],
  );
  assert.deepEqual(result.unexpected, ['zz', 'a']);
  assert.deepEqual(result.responded, ['a', 'b']);
});

test('open mode ends when replies stall after the first one', async () => {
  const clock = new FakeClock();
  const c = new Collector<number>({ mode: 'open', timeoutMs: 2000, stallMs: 300, clock });
  const items = drain(c);
  await clock.advance(500);
  c.push('a', 1);
  await clock.advance(200);
  c.push('b', 2);
  c.push('a', 3); // duplicate: dropped
  await clock.advance(299);
  assert.equal(c.ended, false);
  await clock.advance(1);
  const result = await c.done;
  assert.equal(result.reason, 'stall');
  assert.equal(result.endedAt, 1000);
  assert.deepEqual((await items).map((i) => i.value), [1, 2]);
  assert.deepEqual(result.expected, ['a', 'b']);
});

test('open mode with nobody answering ends at the timer', async () => {
  const clock = new FakeClock();
  const c = new Collector<number>({ mode: 'open', timeoutMs: 2000, stallMs: 300, clock });
  await clock.advance(1999);
  assert.equal(c.ended, false);
  await clock.advance(1);
  assert.equal((await c.done).reason, 'timer');
});

test('open mode without a stall window waits for the timer even after replies', async () => {
  const clock = new FakeClock();
  const c = new Collector<number>({ mode: 'open', timeoutMs: 1000, clock });
  c.push('a', 1);
  await clock.advance(900);
  assert.equal(c.ended, false);
  await clock.advance(100);
  assert.equal((await c.done).reason, 'timer');
});

test('waitFor resolves when the group replied or its time is up', async () => {
  const clock = new FakeClock();
  const c = new Collector<number>({ mode: 'expect', timeoutMs: 5000, clock });
  c.expect('a');
  c.expect('b');
  let done = false;
  void c.waitFor(['a', 'b'], 100).then(() => (done = true));
  c.push('a', 1);
  await flush();
  assert.equal(done, false);
  c.push('b', 2);
  await flush();
  assert.equal(done, true);
  let timedOut = false;
  c.expect('c');
  void c.waitFor(['c'], 100).then(() => (timedOut = true));
  await clock.advance(99);
  assert.equal(timedOut, false);
  await clock.advance(1);
  assert.equal(timedOut, true);
});

test('breaking out of iteration closes the collector', async () => {
  const c = new Collector<number>({ mode: 'open', timeoutMs: 1000, clock: new FakeClock() });
  c.push('a', 1);
  c.push('b', 2);
  for await (const item of c) {
    assert.equal(item.value, 1);
    break;
  }
  assert.equal((await c.done).reason, 'closed');
});

test('fail() ends iteration with the error after buffered replies', async () => {
  const c = new Collector<number>({ mode: 'open', timeoutMs: 1000, clock: new FakeClock() });
  c.push('a', 1);
  c.fail(new Error('bus went away'));
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const item of c) seen.push(item.value);
  }, /bus went away/);
  assert.deepEqual(seen, [1]);
  await assert.rejects(c.done, /bus went away/);
});
