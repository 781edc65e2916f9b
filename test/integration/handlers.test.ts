// The handler service for real: a private JetStream nats-server, a real SMTP
// server (smtp-server) and a webhook receiver (node:http) in the test, and
// `cohort handlers run` as a process. The test publishes the events itself,
// signed as the nodes sign them (node keys certified by a throwaway issuer).
// Shows exactly one mail and one POST per state change, also when the service
// is SIGKILLed in the middle of a delivery and restarted (none lost, none
// doubled); a forged event never handled; maintenance silences and, once
// expired, the real state is told again; SIGTERM stops cleanly; a bad config
// exits 2 naming the field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import {
  checkEventSubject,
  checkEventTag,
  createSigner,
  generateKeyPair,
  issueCertificate,
  publicKeyHex,
  sealDataBytes,
  writeKeyPair,
  type CheckEvent,
  type CheckState,
  type Maintenance,
  type Signer,
} from '@cohort/core';
import { cohort, cohortBin, startNatsServer, type NatsServer, until as waitUntil } from '../harness/index.js';
import { smtpReceiver } from './provisioning-env.js';
import { deliveryKey } from '../../packages/handlers/src/index.ts';
import { stopProcess } from '../harness/process.js';

const bucket = 'it_handlers';

/** Wait until `fn` is true (polled); the message says what did not happen. */
function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 30_000, log?: () => string): Promise<void> {
  return waitUntil(what, fn, { timeoutMs, everyMs: 50, logName: 'service log', ...(log ? { log } : {}) });
}

/** The service as a process, with its stderr. */
function startService(configFile: string, natsUrl: string): { child: ChildProcess; log(): string } {
  const child = spawn(process.execPath, [cohortBin, 'handlers', 'run', '--config', configFile, '--nats', natsUrl, '--log-level', 'debug'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d));
  return { child, log: () => log };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

describe('cohort handlers run', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let dir: string;
  let configFile: string;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let hook: { port: number; answered: string[]; held: ServerResponse[]; hold: (delivery: string) => boolean; close(): void };
  const signers = new Map<string, Signer>();
  const sequences = new Map<string, number>();
  let service: ReturnType<typeof startService> | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-handlers-'));
    nats = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: nats.url });
    js = nc.jetstream();
    const issuer = generateKeyPair();
    const { publicFile } = writeKeyPair(join(dir, 'issuer'), issuer);
    for (const id of ['web1.example.net', 'web2.example.net']) {
      const pair = generateKeyPair();
      const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: id, publicKey: publicKeyHex(pair.publicKey), expiresAt: Date.now() + 86_400_000 });
      signers.set(id, createSigner(pair.privateKey, id, cert));
    }
    smtp = await smtpReceiver();
    const answered: string[] = [];
    const held: ServerResponse[] = [];
    hook = {
      port: 0,
      answered,
      held,
      hold: () => false,
      close: () => server.close(),
    };
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        const delivery = String(req.headers['x-cohort-delivery'] ?? '');
        JSON.parse(body);
        if (hook.hold(delivery)) return void held.push(res);
        // Counted once answered: that is when the service knows it was delivered.
        answered.push(delivery);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hook.port = (server.address() as AddressInfo).port;
    configFile = join(dir, 'handlers.yaml');
    writeFileSync(
      configFile,
      yaml.dump({
        collective: 'cohort',
        consumer: 'it-handlers',
        start: 'all',
        ack_wait: '2s',
        bucket,
        tick: '1s',
        trust: { issuers: [publicFile] },
        defaults: ['mail', 'hook'],
        handlers: {
          mail: { type: 'email', smtp: { host: '127.0.0.1', port: smtp.port, ignore_tls: true }, from: 'cohort@example.net', to: ['ops@example.net'], subject: 'N {{id}} {{STATE}}', retries: 1, backoff: { initial: '200ms' } },
          hook: { type: 'webhook', url: `http://127.0.0.1:${hook.port}/hook`, retries: 1, backoff: { initial: '200ms' }, timeout: '20s' },
        },
      }),
    );
  });

  after(async () => {
    if (service) await stopProcess(service.child, { signal: 'SIGKILL' });
    for (const r of hook?.held ?? []) r.destroy();
    hook?.close();
    smtp?.close();
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Publish an event of `identity`'s `check` into the stream, signed by `by` (default: that node). */
  async function publish(identity: string, check: string, state: CheckState, previous: CheckState, o: { by?: string; maintenance?: Maintenance } = {}): Promise<CheckEvent> {
    const k = `${identity}/${check}`;
    const sequence = (sequences.get(k) ?? 0) + 1;
    sequences.set(k, sequence);
    const e: CheckEvent = {
      protocol: checkEventTag,
      id: `${identity}:${check}:${sequence}`,
      collective: 'cohort',
      identity,
      check,
      sequence,
      previous,
      state,
      hard: true,
      output: `${state.toUpperCase()} - from the test`,
      perfdata: [],
      time: Date.now(),
      interval: 60,
      handlers: [],
      ...(o.maintenance ? { maintenance: o.maintenance } : {}),
    };
    await js.publish(checkEventSubject('cohort', identity, check), sealDataBytes('check-event', e, signers.get(o.by ?? identity)!, e.time));
    return e;
  }

  const key = (e: CheckEvent) => `${e.id}@${e.time}`;
  /** Notification ids in the mail subjects (`N <id> <STATE>`). */
  const mailIds = () => smtp.mails.map((m) => /^Subject: N (\S+) /m.exec(m.raw)?.[1] ?? '?');
  const postIds = () => hook.answered.map((d) => d.replace(/\/hook$/, ''));
  const count = (ids: string[], id: string) => ids.filter((x) => x === id).length;
  /** The service took the event (and everything before it: one at a time, in order). */
  const handled = (e: CheckEvent) => until(`the service to handle ${e.id}`, () => service!.log().includes(`event ${e.id}: `), 30_000, service!.log);

  test('exactly one mail and one POST per state change, across a SIGKILL mid-delivery and a restart; forged events and maintenance never notify', async () => {
    service = startService(configFile, nats.url);
    await until('the service to start', () => service!.log().includes('handling check events'), 30_000, service.log);

    const changes: CheckEvent[] = [];
    changes.push(await publish('web1.example.net', 'load', 'critical', 'pending'));
    // Forged: web2's key signing web1's CRITICAL, and a key no trusted issuer certified.
    const forged = await publish('web1.example.net', 'load', 'ok', 'critical', { by: 'web2.example.net' });
    changes.push(await publish('web1.example.net', 'load', 'ok', 'critical'));
    changes.push(await publish('web2.example.net', 'disk', 'warning', 'pending'));
    // Maintenance: silent while it lasts, whatever the node reports.
    const window: Maintenance = { until: Date.now() + 60_000, reason: 'disk swap', by: 'user=ops' };
    const inMaint1 = await publish('web2.example.net', 'disk', 'maintenance', 'warning', { maintenance: window });
    const inMaint2 = await publish('web2.example.net', 'disk', 'critical', 'maintenance', { maintenance: window });
    await handled(inMaint2);
    await until('3 mails and 3 POSTs', () => smtp.mails.length >= 3 && hook.answered.length >= 3, 30_000, service.log);
    assert.deepEqual(mailIds().sort(), changes.map(key).sort());
    assert.deepEqual(postIds().sort(), changes.map(key).sort());
    assert.match(service.log(), /dropped event \d+ on cohort\.check-event\.web1\.example\.net\.load: data for 'web2\.example\.net' where data for 'web1\.example\.net' was expected/);
    for (const e of [forged, inMaint1, inMaint2]) {
      assert.equal(count(mailIds(), key(e)), 0, `${e.id} was mailed`);
      assert.equal(count(postIds(), key(e)), 0, `${e.id} was posted`);
    }

    // The next change: its mail goes out, its POST is held by the receiver; the service is killed meanwhile.
    const interrupted = await publish('web1.example.net', 'load', 'critical', 'ok');
    changes.push(interrupted);
    hook.hold = (d) => d.startsWith(key(interrupted));
    const deliveries = await js.views.kv(`${bucket}_delivery`);
    await until('the mail of the interrupted change to be recorded sent, and its POST held', async () => {
      const e = await deliveries.get(deliveryKey(key(interrupted), 'mail'));
      return hook.held.length === 1 && e !== null && JSON.parse(new TextDecoder().decode(e.value)).status === 'sent';
    }, 30_000, service.log);
    service.child.kill('SIGKILL');
    await exited(service.child);
    hook.hold = () => false;
    for (const r of hook.held.splice(0)) r.destroy();

    // While it is down: more changes, and the maintenance ends (the node reports the real state).
    changes.push(await publish('web1.example.net', 'load', 'ok', 'critical'));
    changes.push(await publish('web2.example.net', 'disk', 'critical', 'maintenance'));
    service = startService(configFile, nats.url);
    await until('the service to start again', () => service!.log().includes('handling check events'), 30_000, service.log);
    changes.push(await publish('web1.example.net', 'load', 'warning', 'ok'));
    // A last change: once it is handled, everything before it is (in order, one at a time).
    const last = await publish('web2.example.net', 'disk', 'ok', 'critical');
    changes.push(last);
    await handled(last);
    await until(`${changes.length} mails and POSTs`, () => smtp.mails.length >= changes.length && hook.answered.length >= changes.length, 30_000, service.log);

    for (const e of changes) {
      assert.equal(count(mailIds(), key(e)), 1, `mails for ${e.id} (${e.state}): ${count(mailIds(), key(e))}`);
      assert.equal(count(postIds(), key(e)), 1, `POSTs for ${e.id} (${e.state}): ${count(postIds(), key(e))}`);
    }
    assert.equal(smtp.mails.length, changes.length, 'no other mail');
    assert.equal(hook.answered.length, changes.length, 'no other POST');
    assert.match(service.log(), /the service stopped while handling it \(it may or may not have been delivered\); sending again \(on_interrupted: resend\)/);

    // SIGTERM while a POST is in flight: the service finishes it, then exits 0; a restart sends nothing again.
    const inFlight = await publish('web1.example.net', 'load', 'critical', 'warning');
    changes.push(inFlight);
    hook.hold = (d) => d.startsWith(key(inFlight));
    await until('the POST of the change in flight to be held', () => hook.held.length === 1, 30_000, service.log);
    service.child.kill('SIGTERM');
    await until('the service to begin stopping', () => service!.log().includes('stopping: finishing the event in hand'), 30_000, service.log);
    assert.equal(service.child.exitCode, null, 'it waits for the handler in flight');
    hook.hold = () => false;
    const res = hook.held.pop()!;
    hook.answered.push(`${key(inFlight)}/hook`);
    res.writeHead(200).end();
    assert.equal(await exited(service.child), 0);
    assert.match(service.log(), /stopped on SIGTERM: events \d+, dropped 0, stale \d+, sent \d+, failed 0/);
    service = startService(configFile, nats.url);
    const sentinel = await publish('web2.example.net', 'disk', 'critical', 'ok');
    changes.push(sentinel);
    await handled(sentinel);
    await until('the sentinel\'s mail and POST', () => count(mailIds(), key(sentinel)) === 1 && count(postIds(), key(sentinel)) === 1, 30_000, service.log);
    for (const e of [inFlight, sentinel]) {
      assert.equal(count(mailIds(), key(e)), 1, `mails for ${e.id}`);
      assert.equal(count(postIds(), key(e)), 1, `POSTs for ${e.id}`);
    }
    assert.equal(smtp.mails.length, changes.length, 'no other mail');
    assert.equal(hook.answered.length, changes.length, 'no other POST');
    service.child.kill('SIGTERM');
    assert.equal(await exited(service.child), 0);
  });

  test('a bad handlers file: exit 2 naming the handler and the field; --check-config says good', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, yaml.dump({ trust: { issuers: ['issuer.pub'] }, handlers: { pager: { type: 'webhook', url: 'ftp://x' } } }));
    const r = await cohort(['handlers', 'run', '--config', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml: handlers\.pager\.url: must be an http:\/\/ or https:\/\/ URL \(got "ftp:\/\/x"\)/);
    const good = await cohort(['handlers', 'run', '--config', configFile, '--check-config']);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /good: 2 handler\(s\) \(mail: email, hook: webhook\)/);
  });
});
