import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLoopMonitor } from '@cohort/server';

async function until(condition: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('the event-loop monitor samples nothing until asked (an idle daemon is never woken by it)', () => {
  const monitor = new EventLoopMonitor();
  try {
    assert.equal(monitor.measuring, false);
    // The first question starts measuring and reports that nothing was measured yet.
    assert.deepEqual(monitor.lag(), { p50: 0, p99: 0, max: 0, window_s: 0 });
    assert.equal(monitor.measuring, true);
  } finally {
    monitor.stop();
  }
  assert.equal(monitor.measuring, false);
});

test('the event-loop monitor reports complete windows while asked, and stops when nobody asks any more', async () => {
  let now = 0;
  const monitor = new EventLoopMonitor({ windowMs: 20, resolutionMs: 1, keepMs: 1000, clock: () => now });
  try {
    monitor.lag();
    // Block the loop so the window has something to report.
    const busyUntil = Date.now() + 30;
    while (Date.now() < busyUntil);
    await until(() => monitor.lag().window_s === 0.02 && monitor.lag().max > 0, 'a complete window with samples');
    const lag = monitor.lag();
    assert.ok(lag.p50 <= lag.p99 && lag.p99 <= lag.max, JSON.stringify(lag));
    // Nobody asked for longer than keepMs: the next window tick stops sampling.
    now += 1000;
    await until(() => !monitor.measuring, 'the monitor to stop');
  } finally {
    monitor.stop();
  }
});
