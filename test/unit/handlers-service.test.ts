// The handler service on fakes behind its own interfaces (event source,
// stores, handlers, clock): verification, exactly-once across a restart,
// retries, reminders; and the webhook and exec handlers for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  composeMail,
  decide,
  execHandler,
  HandlerService,
  memoryStores,
  webhookHandler,
  type Handler,
  type HandlersConfig,
  type Notification,
} from '../../packages/handlers/src/index.ts';
import { config, event, FakeEvents, FakeTime, fleetKeys, Lines, RecordingHandler, t0 } from './handlers-fakes.ts';

const keys = fleetKeys(['web1', 'web2']);

function service(cfg: HandlersConfig = config(), stores = memoryStores(), handlers = { mail: new RecordingHandler('mail'), hook: new RecordingHandler('hook') }) {
  const events = new FakeEvents();
  const log = new Lines();
  const time = new FakeTime();
  const s = new HandlerService({ config: cfg, events, tracks: stores.tracks, deliveries: stores.deliveries, handlers: new Map<string, Handler>(Object.entries(handlers)), trust: keys.trust, log, time });
  return { s, events, log, time, stores, handlers };
}
const push = (events: FakeEvents, e: ReturnType<typeof event>, by?: string) => events.push(keys.subject(e), keys.seal(e, by));

test('verified events are handled and acked; forged or unverifiable ones are logged, acked and never handled', async () => {
  const { s, events, log, handlers } = service();
  await s.start();
  const good = event('web1', 'load', 'critical');
  await push(events, good);
  // Signed by another (trusted) node.
  await push(events, event('web1', 'disk', 'critical'), 'web2');
  // Published on another node's subject.
  const other = event('web2', 'load', 'critical');
  await events.push(keys.subject(event('web1', 'load', 'ok')), keys.seal(other));
  // Changed after signing.
  const bytes = new TextDecoder().decode(keys.seal(event('web1', 'mem', 'ok')));
  await events.push(keys.subject(event('web1', 'mem', 'ok')), new TextEncoder().encode(bytes.replace('\\"state\\":\\"ok\\"', '\\"state\\":\\"critical\\"')));
  // A key no issuer of ours certified.
  const stranger = fleetKeys(['web1']);
  const forged = event('web1', 'swap', 'critical');
  await events.push(keys.subject(forged), stranger.seal(forged));
  // Not signed data at all.
  await events.push(keys.subject(forged), new TextEncoder().encode(JSON.stringify(forged)));
  assert.deepEqual(events.acked, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(handlers.mail.told.map((n) => n.event.id), [good.id]);
  assert.deepEqual(handlers.hook.told.map((n) => n.event.id), [good.id]);
  assert.equal(s.counts.dropped, 5);
  const dropped = log.lines.filter((l) => l.startsWith('warn dropped event'));
  assert.equal(dropped.length, 5);
  assert.match(dropped[0]!, /data for 'web2' where data for 'web1' was expected/);
  assert.match(dropped[2]!, /signature does not verify/);
  assert.match(dropped[3]!, /issuer .* which this client does not trust/);
  await s.stop();
});

test('exactly once across a restart: a redelivered event is not handled twice; a delivery left "sending" follows on_interrupted', async () => {
  const cfg = config({}, { hook: { type: 'webhook', url: 'http://x/', on_interrupted: 'skip' } });
  const stores = memoryStores();
  const a = service(cfg, stores);
  await a.s.start();
  const e1 = event('web1', 'load', 'critical');
  await push(a.events, e1);
  assert.equal(a.handlers.mail.told.length, 1);
  // The service dies after deciding e2 and writing "sending" for both handlers, before either was sent.
  const e2 = event('web1', 'load', 'ok', { previous: 'critical', time: t0 + 1000 });
  const d = decide(a.s.tracked('web1', 'load'), e2, cfg, t0 + 1000);
  assert.ok(d.kind === 'new');
  await stores.tracks.put(d.record);
  for (const h of ['mail', 'hook']) await stores.deliveries.put({ notification: d.added[0]!.id, handler: h, status: 'sending', time: t0, tries: 1 });

  // The restart: the outbox is finished first; then the server redelivers e1 (never acked?) and e2.
  const b = service(cfg, stores);
  await b.s.start();
  assert.deepEqual(b.handlers.mail.told.map((n) => n.event.state), ['ok'], 'mail: on_interrupted resend (default)');
  assert.deepEqual(b.handlers.hook.told, [], 'hook: on_interrupted skip');
  assert.ok(b.log.lines.some((l) => /may or may not have been delivered\); not sent again \(on_interrupted: skip\)/.test(l)));
  await push(b.events, e1);
  await push(b.events, e2);
  assert.deepEqual(b.handlers.mail.told.map((n) => n.event.state), ['ok']);
  assert.deepEqual(b.events.acked, [1, 2]);
  assert.equal(b.s.counts.stale, 1);
  assert.deepEqual(stores.deliveries.all().map((r) => `${r.handler} ${r.status}`).sort(), ['hook sent', 'hook skipped', 'mail sent', 'mail sent']);
});

test('a failing handler is retried with backoff, then given up; the event is still acked and others are told', async () => {
  const { s, events, time, handlers, stores, log } = service(config(), memoryStores(), { mail: new RecordingHandler('mail'), hook: new RecordingHandler('hook', 10) });
  await s.start();
  await push(events, event('web1', 'load', 'critical'));
  assert.equal(handlers.mail.told.length, 1);
  assert.equal(handlers.hook.tries, 3, 'retries: 2');
  // Backoff 1 s, then 2 s (the fake clock advanced by the sleeps).
  assert.equal(time.now() - t0, 3000);
  assert.deepEqual(events.acked, [1]);
  assert.equal(stores.deliveries.all().find((r) => r.handler === 'hook')?.status, 'failed');
  assert.ok(log.lines.some((l) => /^error change .* to hook failed after 3 tries \(recording\): refused \(test\); given up/.test(l)));
  assert.equal(s.counts.failed, 1);
});

test('reminders go out from the timer, once each, also after a restart', async () => {
  const stores = memoryStores();
  const cfg = config({ renotify: '1h' });
  const a = service(cfg, stores);
  await a.s.start();
  await push(a.events, event('web1', 'load', 'critical'));
  a.time.ms = t0 + 3_600_000;
  await a.s.tick();
  await a.s.tick();
  assert.deepEqual(a.handlers.mail.told.map((n) => `${n.kind} ${n.count ?? ''}`), ['change ', 'renotify 1']);
  const b = service(cfg, stores);
  b.time.ms = t0 + 3_600_000 + 1000;
  await b.s.start();
  await b.s.tick();
  assert.equal(b.handlers.mail.told.length, 0);
  b.time.ms = t0 + 2 * 3_600_000;
  await b.s.tick();
  assert.deepEqual(b.handlers.mail.told.map((n) => `${n.kind} ${n.count}`), ['renotify 2']);
});

test('stop: the event in hand finishes; later ones are given back', async () => {
  let release!: () => void;
  const slow: Handler = { name: 'mail', describe: 'slow', send: () => new Promise<void>((r) => (release = r)), close() {} };
  const { s, events, handlers } = service(config({ defaults: ['mail'] }), memoryStores(), { mail: slow as RecordingHandler, hook: new RecordingHandler('hook') });
  void handlers;
  await s.start();
  const inHand = push(events, event('web1', 'load', 'critical'));
  while (!release) await new Promise((r) => setImmediate(r));
  const stopped = s.stop();
  release();
  await inHand;
  await stopped;
  assert.deepEqual(events.acked, [1]);
});

function notification(): Notification {
  return { id: 'web1:load:7@1800000000000', kind: 'change', handlers: ['x'], event: event('web1', 'load', 'critical', { previous: 'ok' }), time: t0 };
}

test('webhook: JSON POST with the delivery header; non-2xx fails', async () => {
  const got: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let status = 200;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status).end('nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const h = webhookHandler(config({}, { hook: { type: 'webhook', url, headers: { authorization: 'Bearer t' } } }).handlers.get('hook') as never);
    await h.send(notification(), AbortSignal.timeout(5000));
    const body = JSON.parse(got[0]!.body);
    assert.equal(body.protocol, 'cohort:check-notification:1');
    assert.equal(body.kind, 'change');
    assert.equal(body.handler, 'hook');
    assert.equal(body.event.state, 'critical');
    assert.equal(got[0]!.headers['x-cohort-delivery'], 'web1:load:7@1800000000000/hook');
    assert.equal(got[0]!.headers['authorization'], 'Bearer t');
    status = 503;
    await assert.rejects(h.send(notification(), AbortSignal.timeout(5000)), /HTTP 503 Service Unavailable: nope/);
  } finally {
    server.close();
  }
});

test('exec: argv without a shell, the notification JSON on stdin, environment; a non-zero exit and the timeout fail', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-exec-'));
  const out = join(dir, 'out.json');
  const script = join(dir, 'h.mjs');
  writeFileSync(script, `import { writeFileSync } from 'node:fs';\nlet s = '';\nprocess.stdin.on('data', (d) => (s += d)).on('end', () => { writeFileSync(process.argv[2], JSON.stringify({ stdin: JSON.parse(s), state: process.env.COHORT_STATE, route: process.env.ROUTE, arg: process.argv[3] })); process.exit(process.argv[3] === 'fail' ? 3 : 0); });\n`);
  const spec = (args: string[], timeout = '10s') => config({}, { run: { type: 'exec', command: [process.execPath, script, out, ...args], env: { ROUTE: 'infra' }, timeout } }).handlers.get('run') as never;
  await execHandler(spec(['$(touch /tmp/x) ;'])).send(notification(), AbortSignal.timeout(10_000));
  const seen = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(seen.stdin.id, 'web1:load:7@1800000000000');
  assert.equal(seen.stdin.event.identity, 'web1');
  assert.equal(seen.state, 'critical');
  assert.equal(seen.route, 'infra');
  assert.equal(seen.arg, '$(touch /tmp/x) ;', 'arguments reach the program as given');
  await assert.rejects(execHandler(spec(['fail'])).send(notification(), AbortSignal.timeout(10_000)), /exited with 3/);
  const hang = config({}, { run: { type: 'exec', command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] } }).handlers.get('run') as never;
  await assert.rejects(execHandler(hang).send(notification(), AbortSignal.timeout(200)), /did not finish within/);
});

test('email: subject and body from templates, summary by kind', () => {
  const spec = config({}, { mail: { type: 'email', smtp: { host: 'mx' }, from: 'c@example.net', to: 'ops@example.net', subject: '{{STATE}} {{identity}}/{{check}}' } }).handlers.get('mail') as never;
  const m = composeMail(spec, notification());
  assert.equal(m.subject, 'CRITICAL web1/load');
  assert.deepEqual(m.to, ['ops@example.net']);
  const d = composeMail(config().handlers.get('mail') as never, { ...notification(), kind: 'renotify', count: 2 });
  assert.match(d.subject, /^\[cohort\] web1 load: still CRITICAL \(reminder 2/);
  assert.match(d.text, /Output: {3}CRITICAL - test/);
});

test('an event whose check is not a check name is dropped (it could never be stored)', async () => {
  const { s, events, log, handlers } = service();
  await s.start();
  const e = event('web1', 'Load+1', 'critical');
  await events.push(`cohort.check-event.web1.Load+1`, keys.seal(e));
  assert.deepEqual(events.acked, [1]);
  assert.equal(handlers.mail.told.length, 0);
  assert.match(log.lines.join('\n'), /is not a check event subject of collective cohort/);
});
