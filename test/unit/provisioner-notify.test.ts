// Notifiers: the webhook POSTs JSON (to a real node:http server), email
// templates, and a failing or hanging notifier never blocks the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  composeMail,
  createNotifiers,
  emailNotifier,
  eventFor,
  finished,
  newRecord,
  notifyAll,
  stepCompleted,
  webhookNotifier,
  type EmailNotifierSpec,
  type Mail,
  type Notifier,
} from '../../packages/provisioner/src/index.ts';
import { RecordingLog } from './provisioner-fakes.ts';

function doneRecord() {
  let r = newRecord('web1.example.net', 0);
  r = stepCompleted(r, 'choose_master', { facts: { region: 'eu' }, master: { identity: 'ca1', host: 'puppet.eu', ip: '10.0.0.1', port: 8140, reason: 'region=eu' } }, 0);
  r = stepCompleted(r, 'install_cert', { certname: 'web1.example.net', fingerprint: 'AB:CD' }, 0);
  return finished({ ...r, attempts: 1 }, 1_700_000_000_000);
}
const event = eventFor(doneRecord(), 'prov-a', 1_700_000_000_000);

test('the event: what was provisioned where, with which certificate', () => {
  assert.deepEqual(
    { ...event, facts: undefined },
    {
      protocol: 'cohort:provision-event:1',
      event: 'provisioned',
      identity: 'web1.example.net',
      time: '2023-11-14T22:13:20.000Z',
      provisioner: 'prov-a',
      master: 'puppet.eu',
      ca: 'ca1',
      certname: 'web1.example.net',
      fingerprint: 'AB:CD',
      steps: ['choose_master', 'install_cert'],
      step: null,
      attempts: 1,
      error: null,
      retry_after: null,
      facts: undefined,
    },
  );
});

test('webhook: an HTTP POST of the JSON event with the configured headers; non-2xx is a failure', async () => {
  const got: Array<{ req: IncomingMessage; body: string }> = [];
  let status = 204;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      got.push({ req, body });
      res.writeHead(status).end(status === 204 ? '' : 'nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const hook = webhookNotifier({ type: 'webhook', url, headers: { authorization: 'Bearer t0k' } });
    await hook.send(event);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.req.method, 'POST');
    assert.equal(got[0]!.req.url, '/hook');
    assert.equal(got[0]!.req.headers['content-type'], 'application/json');
    assert.equal(got[0]!.req.headers['authorization'], 'Bearer t0k');
    assert.deepEqual(JSON.parse(got[0]!.body), JSON.parse(JSON.stringify(event)));
    status = 500;
    await assert.rejects(hook.send(event), /HTTP 500 Internal Server Error: nope/);
  } finally {
    server.close();
  }
});

test('email: subject and body from templates (missing values empty), default templates list the facts of the event', () => {
  const spec: EmailNotifierSpec = { type: 'email', smtp: { host: 'mx' }, from: 'Cohort <cohort@example.net>', to: 'ops@example.net', subject: '{{identity}} {{event}} on {{master}} {{error}}', body: 'region {{facts.region}}, steps: {{steps}}' };
  const mail = composeMail(spec, event);
  assert.deepEqual(mail, { from: 'Cohort <cohort@example.net>', to: ['ops@example.net'], subject: 'web1.example.net provisioned on puppet.eu', text: 'region eu, steps: choose_master, install_cert' });
  const plain = composeMail({ ...spec, subject: undefined, body: undefined }, event);
  assert.equal(plain.subject, '[cohort] web1.example.net provisioned');
  assert.match(plain.text, /^web1\.example\.net: provisioned by provisioner prov-a at 2023-11-14T22:13:20\.000Z\.$/m);
  assert.match(plain.text, /^Master: {6}puppet\.eu \(CA ca1\)$/m);
});

test('email notifier: the transport is made on the first mail and reused', async () => {
  const sent: Mail[] = [];
  let made = 0;
  const n = emailNotifier({ type: 'email', smtp: { host: 'mx', port: 2525 }, from: 'a@b.c', to: ['x@y.z', 'w@y.z'], events: ['failed'] }, async () => {
    made++;
    return { send: async (m) => void sent.push(m), close() {} };
  });
  assert.equal(n.name, 'email x@y.z,w@y.z via mx:2525');
  assert.deepEqual(n.events, ['failed']);
  await n.send(event);
  await n.send(event);
  assert.equal(made, 1);
  assert.equal(sent.length, 2);
});

test('several notifiers at once: one failing is logged, the others still get the event; events filter', async () => {
  const log = new RecordingLog();
  const got: string[] = [];
  const ok = (name: string, events: Notifier['events'] = ['provisioned', 'failed']): Notifier => ({ name, events, send: async () => void got.push(name) });
  const broken: Notifier = { name: 'broken', events: ['provisioned'], send: async () => Promise.reject(new Error('connection refused')) };
  const failed = await notifyAll([ok('a'), broken, ok('b'), ok('only-failures', ['failed'])], event, log);
  assert.deepEqual(failed, ['broken']);
  assert.deepEqual(got.sort(), ['a', 'b']);
  assert.ok(log.lines.includes('warn notifier broken failed for web1.example.net (provisioned): connection refused'));
});

test('createNotifiers: the log notifier writes one line per event', async () => {
  const log = new RecordingLog();
  const { notifiers, close } = createNotifiers([{ type: 'log' }, { type: 'webhook', url: 'http://127.0.0.1:9/x', events: ['failed'] }], log);
  assert.deepEqual(notifiers.map((n) => n.name), ['log', 'webhook http://127.0.0.1:9/x']);
  await notifyAll(notifiers, event, log);
  assert.deepEqual(log.lines, ['info provisioned web1.example.net: master puppet.eu, certificate AB:CD, after 1 attempt(s)']);
  close();
});
