// The node's Checks on the real scheduler with a recording sink (our own
// CheckSink interface): kinds plug in by name (a missing kind is unknown
// "kind not available"), apply_on follows the node's facts, a removed check
// is deleted, a restart carries history and sequence over, a bad check in
// the config is logged and the others run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckDefinition, CheckEvent, CheckResult, CheckStateRecord, NodeView } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { Checks, Scheduler, type CheckKindRunner, type CheckSink } from '@cohort/server';

class RecordingSink implements CheckSink {
  readonly states = new Map<string, CheckStateRecord>();
  readonly events: Array<{ check: string; previous: CheckEvent['previous']; state: string; sequence: number }> = [];
  readonly deleted: string[] = [];
  /** While true, publishing fails (the bus is down). */
  down = false;
  constructor(readonly saved = new Map<string, CheckStateRecord>()) {}
  async put(r: CheckStateRecord): Promise<void> {
    this.states.set(r.check, r);
  }
  async publish(r: CheckStateRecord, previous: CheckEvent['previous']): Promise<boolean> {
    if (this.down) return false;
    this.events.push({ check: r.check, previous, state: r.state, sequence: r.sequence });
    return true;
  }
  async delete(check: string): Promise<void> {
    this.states.delete(check);
    this.deleted.push(check);
  }
  async restore(check: string): Promise<CheckStateRecord | undefined> {
    return this.saved.get(check);
  }
}

function logger(lines: string[]): Logger {
  const add = (m: string) => void lines.push(m);
  const l = { error: add, warn: add, info: add, debug: () => undefined, child: () => l } as unknown as Logger;
  return l;
}

const fixed = (state: CheckResult['state'], output: string): CheckKindRunner => ({
  run: async (def: CheckDefinition) => ({ state, output: `${def.name}: ${output}`, perfdata: [], time: Date.now(), duration_ms: 0 }),
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function setup(checks: Record<string, unknown>, sink = new RecordingSink()) {
  let facts: Record<string, string> = { role: 'web' };
  const view = (): NodeView => ({ identity: 'n1', facts, classes: [], agents: [] });
  const lines: string[] = [];
  const scheduler = new Scheduler({ log: logger(lines) });
  const c = new Checks({
    identity: 'n1',
    configFile: undefined,
    settings: { checks, checks_dir: null },
    kinds: new Map([['nagios', fixed('critical', 'plugin says critical')]]),
    scheduler,
    sink,
    view,
    log: logger(lines),
  });
  return { c, sink, lines, scheduler, setFacts: (f: Record<string, string>) => (facts = f) };
}

const every = { interval: '60s', splay: false, retries: 1 };

test('a kind that is not plugged in is unknown "kind not available"; nagios runs through its runner', async () => {
  const s = setup({ mem: { critical_if: 'memory.used_pct > 90', ...every }, disk: { command: ['/bin/true'], ...every } });
  await s.c.start();
  await until(() => s.sink.states.get('mem')?.state === 'unknown' && s.sink.states.get('disk')?.state === 'critical');
  assert.match(s.sink.states.get('mem')?.output ?? '', /^kind not available: expression \(this cohortd runs nagios checks\)$/);
  assert.equal(s.sink.states.get('disk')?.output, 'disk: plugin says critical');
  assert.deepEqual(s.c.data('disk'), { exists: true, state: 'critical', hard: true, output: 'disk: plugin says critical', since: Math.floor((s.sink.states.get('disk')?.since ?? 0) / 1000), attempt: 1 });
  assert.deepEqual(s.c.data('nope'), { exists: false });
  await s.c.stop();
  await s.scheduler.stop();
});

test('apply_on follows the facts: the check appears, and goes (its state deleted) when they change', async () => {
  const s = setup({ dbonly: { command: ['/bin/true'], apply_on: 'role=db', ...every } });
  await s.c.start();
  assert.deepEqual(s.c.names(), []);
  s.setFacts({ role: 'db' });
  s.c.refresh();
  assert.deepEqual(s.c.names(), ['dbonly']);
  await until(() => s.sink.states.get('dbonly')?.state === 'critical');
  s.setFacts({ role: 'web' });
  s.c.refresh();
  assert.deepEqual(s.c.names(), []);
  await until(() => s.sink.deleted.includes('dbonly'));
  assert.equal(s.sink.states.has('dbonly'), false);
  await s.c.stop();
  await s.scheduler.stop();
});

test('after a restart the last state is carried over: history and sequence continue, no duplicate event ids', async () => {
  const first = setup({ disk: { command: ['/bin/true'], ...every } });
  await first.c.start();
  await until(() => first.sink.states.get('disk')?.state === 'critical');
  await first.c.run(['disk']);
  await first.c.stop();
  await first.scheduler.stop();
  const saved = first.sink.states.get('disk') as CheckStateRecord;
  assert.equal(saved.sequence, 1);
  assert.equal(saved.history.length, 2);

  const second = setup({ disk: { command: ['/bin/true'], ...every } }, new RecordingSink(new Map([['disk', saved]])));
  await second.c.start();
  await until(() => (second.sink.states.get('disk')?.history.length ?? 0) >= 3);
  const r = second.sink.states.get('disk');
  assert.equal(r?.state, 'critical');
  assert.equal(r?.sequence, 1, 'still critical: no new transition');
  assert.deepEqual(second.sink.events, []);
  await second.c.stop();
  await second.scheduler.stop();
});

test('maintenance and resume through the Checks API; unknown names are returned apart', async () => {
  const s = setup({ disk: { command: ['/bin/true'], ...every } });
  await s.c.start();
  await until(() => s.sink.states.get('disk')?.state === 'critical');
  const m = await s.c.maintenance(['disk', 'ghost'], 60_000, 'backup', 'user=alice');
  assert.deepEqual(m.unknown, ['ghost']);
  assert.equal(m.changed[0]?.state, 'maintenance');
  assert.deepEqual({ reason: s.sink.states.get('disk')?.maintenance?.reason, by: s.sink.states.get('disk')?.maintenance?.by }, { reason: 'backup', by: 'user=alice' });
  const back = await s.c.resume([]);
  assert.equal(back.changed[0]?.state, 'critical');
  assert.deepEqual(s.sink.events.map((e) => `${e.previous}->${e.state}:${e.sequence}`), ['pending->critical:1', 'critical->maintenance:2', 'maintenance->critical:3']);
  await s.c.stop();
  await s.scheduler.stop();
});

test('a bad check in the config is logged with its name and setting; the others run', async () => {
  const s = setup({ good: { command: ['/bin/true'], ...every }, bad: { command: ['/bin/true'], retries: 'many' } });
  await s.c.start();
  assert.deepEqual(s.c.names(), ['good']);
  assert.ok(s.lines.some((l) => /check 'bad': retries must be a whole number/.test(l)), s.lines.join('\n'));
  await s.c.stop();
  await s.scheduler.stop();
});

test('events that could not be published are sent again, in order, at the next write', async () => {
  const s = setup({ disk: { command: ['/bin/true'], ...every } });
  s.sink.down = true;
  await s.c.start();
  await until(() => s.sink.states.get('disk')?.state === 'critical');
  await s.c.maintenance(['disk'], 60_000, 'x', 'user=a');
  assert.equal(s.sink.events.length, 0);
  s.sink.down = false;
  await s.c.run(['disk']);
  assert.deepEqual(s.sink.events.map((e) => `${e.previous}->${e.state}:${e.sequence}`), ['pending->critical:1', 'critical->maintenance:2']);
  await s.c.stop();
  await s.scheduler.stop();
});
