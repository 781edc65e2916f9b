// The node-side scheduler (mine now, checks next): a job never overlaps
// itself, is aborted at its timeout, can be run now, changed and removed.
// Waits are on counters, never on elapsed time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@cohort/core/log';
import { Scheduler, type ScheduledJob } from '@cohort/server';

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function job(name: string, run: ScheduledJob['run'], extra: Partial<ScheduledJob> = {}): ScheduledJob {
  return { name, intervalMs: 10, timeoutMs: 10_000, splay: false, run, ...extra };
}

test('a slow job never overlaps itself: ticks that find it running are skipped', async () => {
  const s = new Scheduler({ log: silentLogger() });
  let running = 0;
  let most = 0;
  let runs = 0;
  let release!: () => void;
  s.set(
    job('slow', async () => {
      running++;
      most = Math.max(most, running);
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
      running--;
    }),
  );
  await until(() => s.counters.skipped >= 3);
  assert.equal(runs, 1, 'no second run while the first is going');
  release();
  await until(() => runs >= 3);
  assert.equal(most, 1);
  await s.stop();
});

test('a run is aborted at its timeout, and the next run still happens', async () => {
  const s = new Scheduler({ log: silentLogger() });
  const reasons: string[] = [];
  s.set(
    job(
      'hang',
      (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            reasons.push(String((signal.reason as Error).message));
            resolve();
          });
        }),
      { intervalMs: 5, timeoutMs: 20 },
    ),
  );
  await until(() => reasons.length >= 2);
  assert.match(reasons[0] ?? '', /hang exceeded its 0.02 s timeout/);
  assert.ok(s.counters.timeouts >= 2);
  await s.stop();
});

test('runNow runs at once (or joins the running run); unknown jobs are false', async () => {
  const s = new Scheduler({ log: silentLogger() });
  let runs = 0;
  s.set(job('x', async () => void runs++, { intervalMs: 3_600_000, splay: false }));
  await until(() => runs === 1);
  assert.equal(await s.runNow('x'), true);
  assert.equal(runs, 2);
  assert.equal(await s.runNow('nope'), false);
  await s.stop();
});

test('splay spreads the first run over the interval; a changed interval applies from the last start', async () => {
  const s = new Scheduler({ log: silentLogger(), random: () => 0.999 });
  let runs = 0;
  s.set(job('later', async () => void runs++, { intervalMs: 3_600_000, splay: true }));
  // Splayed to almost an hour away: shorten the interval and it runs now (its due time is in the past).
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 0);
  s.set(job('later', async () => void runs++, { intervalMs: 10, splay: true }));
  await until(() => runs >= 3);
  await s.stop();
});

test('remove aborts a running job; stop ends everything', async () => {
  const s = new Scheduler({ log: silentLogger() });
  let aborted = false;
  let started = false;
  s.set(
    job('gone', (signal) => {
      started = true;
      return new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve();
        }),
      );
    }),
  );
  await until(() => started);
  s.remove('gone');
  await until(() => aborted);
  assert.deepEqual(s.names(), []);
  await s.stop();
  s.set(job('after-stop', async () => undefined));
  assert.deepEqual(s.names(), [], 'a stopped scheduler takes no jobs');
});
