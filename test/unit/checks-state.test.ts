// The state machine of one check on one node: soft/hard with retries,
// the last 15 results, since and sequence, maintenance and its end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHistoryLength, parseCheckDefinition, type CheckDefinition, type CheckResult, type CheckStateRecord } from '@cohort/core';
import { applyResult, endMaintenance, enterMaintenance, maintenanceExpired, pendingRecord, withDefinition } from '@cohort/server';

function def(settings: Record<string, unknown> = {}): CheckDefinition {
  const d = parseCheckDefinition('load', { command: ['/bin/true'], interval: '10s', ...settings }, 'config');
  assert.ok(typeof d !== 'string', String(d));
  return d;
}

function result(state: CheckResult['state'], time: number, output = state): CheckResult {
  return { state, output, perfdata: [{ label: 'x', value: time }], time, duration_ms: 1 };
}

/** Feed results, returning every record and whether each was a transition. */
function feed(start: CheckStateRecord, states: CheckResult['state'][]): Array<{ r: CheckStateRecord; changed: boolean }> {
  const out: Array<{ r: CheckStateRecord; changed: boolean }> = [];
  let r = start;
  states.forEach((s, i) => {
    const step = applyResult(r, result(s, 1000 + i), 1000 + i);
    r = step.record;
    out.push({ r, changed: step.transition !== undefined });
  });
  return out;
}

test('a new check is pending, not hard, sequence 0, no history', () => {
  const r = pendingRecord(def(), 'n1', 500);
  assert.equal(r.state, 'pending');
  assert.equal(r.hard, false);
  assert.equal(r.sequence, 0);
  assert.equal(r.last_run, null);
  assert.equal(r.since, 500);
  assert.equal(r.interval, 10);
  assert.equal(r.retries, 3);
  assert.deepEqual(r.history, []);
});

test('ok is hard at once; a problem is soft until retries consecutive results, then hard', () => {
  const steps = feed(pendingRecord(def({ retries: 3 }), 'n1', 0), ['ok', 'critical', 'critical', 'critical', 'critical', 'ok']);
  assert.deepEqual(
    steps.map(({ r, changed }) => `${r.state}:${r.hard ? 'hard' : 'soft'}:${r.attempt}:${r.sequence}:${changed}`),
    ['ok:hard:0:1:true', 'critical:soft:1:2:true', 'critical:soft:2:2:false', 'critical:hard:3:3:true', 'critical:hard:3:3:false', 'ok:hard:0:4:true'],
  );
  // since: when the state itself changed (soft -> hard keeps it).
  assert.equal(steps[1]?.r.since, 1001);
  assert.equal(steps[3]?.r.since, 1001);
  assert.equal(steps[5]?.r.since, 1005);
});

test('retries 1: a problem is hard at once', () => {
  const steps = feed(pendingRecord(def({ retries: 1 }), 'n1', 0), ['warning']);
  assert.equal(steps[0]?.r.state, 'warning');
  assert.equal(steps[0]?.r.hard, true);
  assert.equal(steps[0]?.r.sequence, 1);
});

test('moving between problem states keeps counting, so a hard problem stays hard', () => {
  const steps = feed(pendingRecord(def({ retries: 2 }), 'n1', 0), ['warning', 'warning', 'critical', 'unknown']);
  assert.deepEqual(steps.map(({ r }) => `${r.state}:${r.hard ? 'hard' : 'soft'}`), ['warning:soft', 'warning:hard', 'critical:hard', 'unknown:hard']);
  assert.deepEqual(steps.map(({ changed }) => changed), [true, true, true, true]);
});

test('a soft problem that recovers never becomes hard', () => {
  const steps = feed(pendingRecord(def({ retries: 3 }), 'n1', 0), ['critical', 'critical', 'ok', 'critical']);
  assert.deepEqual(steps.map(({ r }) => `${r.state}:${r.attempt}:${r.hard ? 'hard' : 'soft'}`), ['critical:1:soft', 'critical:2:soft', 'ok:0:hard', 'critical:1:soft']);
});

test('the last 15 results are kept, newest first, with output, perfdata and last_run of the latest', () => {
  const states = Array.from({ length: 20 }, (_, i): CheckResult['state'] => (i % 2 ? 'ok' : 'warning'));
  const last = feed(pendingRecord(def(), 'n1', 0), states).at(-1)?.r;
  assert.ok(last);
  assert.equal(checkHistoryLength, 15);
  assert.equal(last.history.length, 15);
  assert.deepEqual(last.history.map((h) => h.time), Array.from({ length: 15 }, (_, i) => 1019 - i));
  assert.equal(last.last_run, 1019);
  assert.equal(last.output, 'ok');
  assert.deepEqual(last.perfdata, [{ label: 'x', value: 1019 }]);
});

test('maintenance: one transition in, results recorded but no state change, one transition out to the latest result', () => {
  let r = feed(pendingRecord(def({ retries: 1 }), 'n1', 0), ['ok']).at(-1)?.r as CheckStateRecord;
  const m = { until: 5000, reason: 'reboot', by: 'user=operator' };
  const into = enterMaintenance(r, m, 2000);
  assert.equal(into.transition?.previous, 'ok');
  r = into.record;
  assert.equal(r.state, 'maintenance');
  assert.deepEqual(r.maintenance, m);
  assert.equal(r.sequence, 2);
  assert.equal(r.since, 2000);
  // Again while in maintenance: the window changes, no new event.
  const again = enterMaintenance(r, { ...m, until: 6000 }, 2100);
  assert.equal(again.transition, undefined);
  assert.equal(again.record.maintenance?.until, 6000);
  r = again.record;
  const during = applyResult(r, result('critical', 3000), 3000);
  assert.equal(during.transition, undefined);
  assert.equal(during.record.state, 'maintenance');
  assert.equal(during.record.history[0]?.state, 'critical');
  assert.equal(during.record.output, 'critical');
  r = during.record;
  assert.equal(maintenanceExpired(r, 5999), false);
  assert.equal(maintenanceExpired(r, 6000), true);
  const out = endMaintenance(r, 6000);
  assert.equal(out.transition?.previous, 'maintenance');
  assert.equal(out.record.state, 'critical');
  assert.equal(out.record.hard, true);
  assert.equal(out.record.maintenance, undefined);
  assert.equal(out.record.sequence, 3);
  // Ending again changes nothing.
  assert.equal(endMaintenance(out.record, 6001).transition, undefined);
});

test('maintenance of a check that never ran ends as pending; an expired window does not hold a result back', () => {
  const p = pendingRecord(def(), 'n1', 0);
  const into = enterMaintenance(p, { until: 100, reason: '', by: 'user=a' }, 10).record;
  assert.equal(endMaintenance(into, 200).record.state, 'pending');
  const after = applyResult(into, result('warning', 150), 150);
  assert.equal(after.record.state, 'warning');
  assert.equal(after.record.maintenance, undefined);
  assert.equal(after.transition?.previous, 'maintenance');
});

test('a changed definition keeps the history and sequence and takes the new interval and retries', () => {
  const r = feed(pendingRecord(def({ retries: 5 }), 'n1', 0), ['critical', 'critical']).at(-1)?.r as CheckStateRecord;
  assert.equal(r.hard, false);
  const changed = withDefinition(r, def({ retries: 2, interval: '30s' }));
  assert.equal(changed.hard, true);
  assert.equal(changed.retries, 2);
  assert.equal(changed.interval, 30);
  assert.equal(changed.sequence, r.sequence);
  assert.equal(changed.history.length, 2);
});

test('results are bounded: long outputs are cut, only the newest keeps its long output, perfdata is capped', () => {
  let r = pendingRecord(def(), 'n1', 0);
  for (let i = 0; i < 20; i++) {
    const big: CheckResult = { state: 'ok', output: 'x'.repeat(100_000), long_output: 'y'.repeat(100_000), perfdata: Array.from({ length: 500 }, (_, n) => ({ label: `p${n}`, value: n })), time: i, duration_ms: 1 };
    r = applyResult(r, big, i).record;
  }
  assert.equal(r.history.length, 15);
  assert.ok(r.output.length <= 1024 && r.output.endsWith('(truncated)'));
  assert.ok((r.history[0]?.long_output?.length ?? 0) <= 8192);
  assert.equal(r.history.filter((h) => h.long_output !== undefined).length, 1);
  assert.equal(r.perfdata.length, 64);
  assert.ok(JSON.stringify(r).length < 256 * 1024 / 2, `record of ${JSON.stringify(r).length} bytes`);
});
