// The decisions of the handler service, pure and on a fake clock: routing,
// hard states, recoveries, maintenance, flap suppression, reminders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, delivered, route, tick, type TrackedCheck } from '../../packages/handlers/src/index.ts';
import { config, event, t0 } from './handlers-fakes.ts';

const min = 60_000;

/** Feed events through decide (deliveries done at once); returns the record and every notification as `kind:handlers:state`. */
function feed(cfg = config(), events: ReturnType<typeof event>[], start?: TrackedCheck) {
  let rec = start;
  const told: string[] = [];
  for (const e of events) {
    const d = decide(rec, e, cfg, e.time);
    assert.equal(d.kind, 'new', `event ${e.id}`);
    if (d.kind !== 'new') continue;
    for (const n of d.added) told.push(`${n.kind}:${n.handlers.join('+')}:${n.event.state}`);
    rec = d.added.reduce((r, n) => delivered(r, n.id), d.record);
  }
  return { rec: rec!, told };
}

test('routing: the event\'s handlers, else the defaults; unknown names apart', () => {
  const cfg = config({ defaults: ['mail'] });
  assert.deepEqual(route(event('web1', 'load', 'critical'), cfg), { handlers: ['mail'], unknown: [] });
  assert.deepEqual(route(event('web1', 'load', 'critical', { handlers: ['hook', 'sms', 'hook'] }), cfg), { handlers: ['hook'], unknown: ['sms'] });
});

test('a change to a hard problem is told once; soft states and repeats are not; a recovery is', () => {
  const { told } = feed(config(), [
    event('web1', 'load', 'ok', { previous: 'pending' }),
    event('web1', 'load', 'critical', { hard: false, attempt: 1 } as never),
    event('web1', 'load', 'critical', { hard: true }),
    event('web1', 'load', 'critical', { hard: true }),
    event('web1', 'load', 'warning', { previous: 'critical' }),
    event('web1', 'load', 'ok', { previous: 'warning' }),
    event('web1', 'load', 'ok', { previous: 'ok' }),
  ]);
  assert.deepEqual(told, ['change:mail+hook:critical', 'change:mail+hook:warning', 'change:mail+hook:ok']);
});

test('states filter per handler; hard_only false hears soft states', () => {
  const cfg = config({}, { hook: { type: 'webhook', url: 'http://x/', states: ['critical'], hard_only: false } });
  const { told } = feed(cfg, [
    event('web1', 'disk', 'warning'),
    event('web1', 'disk', 'critical', { hard: false }),
    event('web1', 'disk', 'critical', { hard: true }),
    event('web1', 'disk', 'ok'),
  ]);
  // hook's states are [critical]: it hears the soft critical, not the warning nor the recovery.
  assert.deepEqual(told, ['change:mail:warning', 'change:hook:critical', 'change:mail:critical', 'change:mail:ok']);
});

test('the same event again is seen; an older one is stale', () => {
  const cfg = config();
  const a = event('web1', 'load', 'critical');
  const b = event('web1', 'load', 'ok', { time: t0 + min });
  const { rec } = feed(cfg, [a, b]);
  assert.equal(decide(rec, b, cfg, t0).kind, 'seen');
  assert.equal(decide(rec, a, cfg, t0).kind, 'stale');
  // A node that lost its sequence (new time) is believed.
  assert.equal(decide(rec, event('web1', 'load', 'critical', { sequence: 1, time: t0 + 2 * min }), cfg, t0).kind, 'new');
});

test('maintenance silences; when it expires the real state is told again', () => {
  const until = t0 + 60 * min;
  const { told, rec } = feed(config(), [
    event('web1', 'load', 'critical', { time: t0 }),
    event('web1', 'load', 'maintenance', { previous: 'critical', time: t0 + min, maintenance: { until, reason: 'upgrade', by: 'user=ops' } }),
    // A result inside the window still carries the maintenance: silent.
    event('web1', 'load', 'ok', { previous: 'maintenance', time: t0 + 2 * min, maintenance: { until, reason: 'upgrade', by: 'user=ops' } }),
    event('web1', 'load', 'critical', { previous: 'ok', time: t0 + 3 * min, maintenance: { until, reason: 'upgrade', by: 'user=ops' } }),
    // Expired: the node reports the real state.
    event('web1', 'load', 'critical', { previous: 'maintenance', time: until + min }),
  ]);
  assert.deepEqual(told, ['change:mail+hook:critical', 'change:mail+hook:critical']);
  // An expired maintenance carried by an event does not silence it.
  const late = decide(rec, event('web1', 'load', 'warning', { time: until + 2 * min, maintenance: { until, reason: 'old', by: 'x' } }), config(), until + 2 * min);
  assert.ok(late.kind === 'new' && late.added.length === 1);
});

test('flapping: more than N changes in the window -> one flapping notice, silence, then one settled notice', () => {
  const cfg = config({ flapping: { changes: 3, window: '10m', settle: '5m' } });
  const states = ['critical', 'ok', 'critical', 'ok', 'critical', 'ok', 'critical'] as const;
  const { rec, told } = feed(
    cfg,
    states.map((s, i) => event('db1', 'repl', s, { time: t0 + i * min })),
  );
  // The first result and changes 1..3 are told; the 4th change starts the flapping; the rest is silent.
  assert.deepEqual(told, ['change:mail+hook:critical', 'change:mail+hook:ok', 'change:mail+hook:critical', 'change:mail+hook:ok', 'flapping:mail+hook:critical']);
  assert.equal(rec.flapping, true);
  // Not settled yet: the last change was 4 minutes ago.
  assert.equal(tick(rec, cfg, t0 + 10 * min), undefined);
  const settled = tick(rec, cfg, t0 + 11 * min);
  assert.ok(settled);
  assert.deepEqual(settled.added.map((n) => `${n.kind}:${n.handlers.join('+')}:${n.event.state}`), ['settled:mail+hook:critical']);
  assert.equal(settled.record.flapping, false);
  // After settling, changes are told again (from the settled state).
  const after = feed(cfg, [event('db1', 'repl', 'ok', { time: t0 + 12 * min })], delivered(settled.record, settled.added[0]!.id));
  assert.deepEqual(after.told, ['change:mail+hook:ok']);
});

test('changes spread wider than the window never flap', () => {
  const cfg = config({ flapping: { changes: 2, window: '10m' } });
  const { told } = feed(
    cfg,
    ['critical', 'ok', 'critical', 'ok', 'critical'].map((s, i) => event('db1', 'repl', s as 'ok', { time: t0 + i * 6 * min })),
  );
  assert.equal(told.length, 5);
  assert.ok(told.every((t) => t.startsWith('change:')));
});

test('renotify: a hard problem that persists is told again every interval, with a count; not after a recovery or in maintenance', () => {
  const cfg = config({ renotify: '1h' });
  const { rec } = feed(cfg, [event('web1', 'load', 'critical', { time: t0 })]);
  assert.equal(tick(rec, cfg, t0 + 59 * min), undefined);
  const r1 = tick(rec, cfg, t0 + 60 * min);
  assert.ok(r1);
  assert.deepEqual(r1.added.map((n) => [n.kind, n.count, n.handlers.join('+')]), [['renotify', 1, 'mail+hook']]);
  const rec1 = delivered(r1.record, r1.added[0]!.id);
  assert.equal(tick(rec1, cfg, t0 + 119 * min), undefined);
  const r2 = tick(rec1, cfg, t0 + 120 * min);
  assert.equal(r2?.added[0]?.count, 2);
  assert.notEqual(r2?.added[0]?.id, r1.added[0]?.id);
  const ok = feed(cfg, [event('web1', 'load', 'ok', { time: t0 + 121 * min })], delivered(r2!.record, r2!.added[0]!.id));
  assert.equal(tick(ok.rec, cfg, t0 + 500 * min), undefined);
  const m = feed(cfg, [event('web1', 'load', 'maintenance', { time: t0 + 122 * min, maintenance: { until: t0 + 900 * min, reason: 'r', by: 'b' } })], rec1);
  assert.equal(tick(m.rec, cfg, t0 + 500 * min), undefined);
  // Off by default.
  assert.equal(tick(rec, config(), t0 + 1000 * min), undefined);
});

test('a decision is kept in the outbox until delivered', () => {
  const cfg = config();
  const d = decide(undefined, event('web1', 'load', 'critical'), cfg, t0);
  assert.ok(d.kind === 'new');
  assert.equal(d.record.outbox.length, 1);
  assert.equal(delivered(d.record, d.added[0]!.id).outbox.length, 0);
});
