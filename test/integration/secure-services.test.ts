// The long-running services under the least-privilege NATS users of
// examples/secure: `cohort web` as user web (a console user logs in through
// the HTTP API and runs rpcutil ping on a node), `cohort handlers run` as
// user handlers (a node's check turns critical and the webhook handler gets
// the change), each with the credentials setup.sh wrote for it
// (web-client.yaml, handlers-client.yaml); neither nats-server nor the
// services log a permissions violation. And a node started before the admin's
// `cohort bus init` says which bucket is missing and that the admin creates
// it (the mine values bucket).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { CheckEvent } from '@cohort/core';
import { cohort, cohortBin, freePort, until } from '../harness/index.js';
import { stopProcess } from '../harness/process.js';
import { startWebConsole, type WebConsole } from '../harness/web.js';
import { describe, test } from '../harness/skip.js';
import { missingOpenssl, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
/** How nats-server and the services report a refused subject. */
const violation = /permissions? violation|authorization violation/i;

/** nats-server's violation lines of NATS user `user` (`... - Publish Violation - User "web", Subject "..."`, or Subscription). */
const violationsOf = (log: string, user: string): string[] => log.split('\n').filter((l) => /Violation - User "([^"]*)"/.exec(l)?.[1] === user);

describe('a node started before cohort bus init', { skip }, () => {
  let env: SecureFleet;

  before(async () => {
    if (skip) return;
    env = await startSecureFleet([{ identity: 'early', role: 'web' }], {
      busInit: false,
      config: { mine: { role: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: '3s' } } },
    });
  });

  after(async () => {
    await env?.stop();
  });

  test('logs which bucket is missing and that the NATS admin creates it with cohort bus init', async () => {
    const log = () => env.fleet.nodes.get('early')?.log() ?? '';
    await until('the node to log that it cannot write its mine value', () => /mine: cannot write role\.early/.test(log()), { timeoutMs: 60_000, log });
    const line = log().split('\n').find((l) => /mine: cannot write role\.early/.test(l)) ?? '';
    assert.match(line, /the mine values bucket cohort_mine_cohort does not exist \(or cannot be read\) and this NATS user may not create it: the NATS admin creates every stream and bucket of the collective once with `cohort bus init`/);
    assert.doesNotMatch(line, /is JetStream enabled/, 'the JetStream guess is for other failures');
    assert.match(log(), /registry: cannot write to bucket cohort_registry_cohort \(the registry bucket cohort_registry_cohort does not exist .*`cohort bus init`/);
  });
});

describe('the web console and the event handlers as their own least-privilege NATS users of examples/secure', { skip }, () => {
  let env: SecureFleet;
  let web: WebConsole | undefined;
  let handlers: ChildProcess | undefined;
  let handlersLog = '';
  let hook: Server;
  const notified: Array<{ event: CheckEvent }> = [];
  const stateDir = mkdtempSync(join(tmpdir(), 'cohort-secure-services-'));
  const stateFile = join(stateDir, 'flip.state');
  const password = 'operator-web-secret-1';

  before(async () => {
    if (skip) return;
    // The check's state is whatever the file says (0 OK, 2 CRITICAL): the test turns it critical.
    writeFileSync(stateFile, '0\n');
    env = await startSecureFleet([{ identity: 's1', role: 'web' }], {
      config: {
        checks: { flip: { command: ['/bin/sh', '-c', `read s < '${stateFile}'; echo "state $s"; exit "$s"`], interval: '1s', retries: 1, splay: false } },
        nrpe: { conf_file: '/nonexistent/nrpe.cfg', conf_dir: null },
      },
    });
  });

  after(async () => {
    await web?.stop();
    if (handlers) await stopProcess(handlers);
    hook?.close();
    await env?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('cohort web as user web: a console user logs in and runs rpcutil ping on the node', async () => {
    const port = await freePort();
    const webYaml = join(env.dir, 'web-test.yaml');
    writeFileSync(webYaml, yaml.dump({ listen: `127.0.0.1:${port}`, client_config: join(env.dir, 'web-client.yaml') }));
    const add = await cohort(['web', 'useradd', 'operator', '--role', 'admin', '--key', join(env.dir, 'keys/operator.key'), '--config', webYaml], { input: `${password}\n` });
    assert.equal(add.code, 0, add.stderr);
    web = await startWebConsole(webYaml, port, { COHORT_NATS: env.nats.url, COHORT_CONFIG: '', COHORT_KEY: '', NO_COLOR: '1' });
    const login = await fetch(`${web.base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'operator', password }) });
    assert.equal(login.status, 200, await login.clone().text());
    const { csrf } = (await login.json()) as { csrf: string };
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const run = await fetch(`${web.base}/api/run`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'rpcutil', action: 'ping', inputs: {} }),
    });
    assert.equal(run.status, 202, await run.clone().text());
    const { job } = (await run.json()) as { job: string };
    let detail: { job: { finished?: number; ok: number; failed: number }; replies: Array<{ identity: string; statuscode: number; data: { pong?: number } }> } | undefined;
    await until(
      'the ping job to finish',
      async () => {
        const r = await fetch(`${web!.base}/api/jobs/${job}`, { headers: { cookie } });
        detail = r.status === 200 ? ((await r.json()) as typeof detail) : undefined;
        return detail?.job.finished !== undefined;
      },
      { timeoutMs: 60_000, log: () => web!.log() },
    );
    assert.equal(detail?.job.ok, 1, JSON.stringify(detail));
    assert.deepEqual(detail?.replies.map((r) => [r.identity, r.statuscode, typeof r.data.pong]), [['s1', 0, 'number']]);
    // The node's audit log names the console user's own caller id, verified.
    assert.ok(env.audit('s1').some((a) => a.callerid === 'user=operator' && a.agent === 'rpcutil' && a.action === 'ping'));
  });

  test('cohort handlers run as user handlers: a node\'s check turning critical reaches the webhook handler', async () => {
        hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        notified.push(JSON.parse(body) as { event: CheckEvent });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const config = join(env.dir, 'handlers.yaml');
    // consumer and bucket as in examples/handlers.yaml: the handlers user may use no others.
    writeFileSync(
      config,
      yaml.dump({
        collective: 'cohort',
        consumer: 'cohort-handlers',
        start: 'all',
        bucket: 'cohort_handlers_cohort',
        trust: { issuers: [join(env.dir, 'keys/issuer.pub')] },
        defaults: ['hook'],
        handlers: { hook: { type: 'webhook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, retries: 1 } },
      }),
    );
    const child = spawn(process.execPath, [cohortBin, 'handlers', 'run', '--config', config, '--client-config', join(env.dir, 'handlers-client.yaml'), '--nats', env.nats.url], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', COHORT_CONFIG: '', COHORT_KEY: '' },
    });
    handlers = child;
    child.stderr!.on('data', (d: Buffer) => (handlersLog += d));
    await until('the handlers service to consume the events', () => /handling check events of collective cohort/.test(handlersLog) || child.exitCode !== null, { timeoutMs: 60_000, log: () => handlersLog });
    assert.equal(child.exitCode, null, handlersLog);
    writeFileSync(stateFile, '2\n');
    const logs = () => `--- handlers\n${handlersLog}\n--- s1\n${env.fleet.nodes.get('s1')?.log().slice(-3000) ?? ''}`;
    await until('the webhook to get s1 flip critical', () => notified.some((n) => n.event.identity === 's1' && n.event.check === 'flip' && n.event.state === 'critical'), { timeoutMs: 60_000, log: logs });
    await until('the handlers service to record the delivery', () => /notified hook: s1 flip critical/.test(handlersLog), { timeoutMs: 30_000, log: logs });
  });

  test('nats-server refused the web and handlers users nothing, and neither service logged a violation', () => {
    const natsLog = env.natsLog();
    assert.match(natsLog, /Server is ready/, 'the nats-server log is read');
    assert.deepEqual(violationsOf(natsLog, 'web'), []);
    assert.deepEqual(violationsOf(natsLog, 'handlers'), []);
    assert.doesNotMatch(web?.log() ?? '', violation);
    assert.doesNotMatch(handlersLog, violation);
  });
});
