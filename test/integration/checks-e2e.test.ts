// Checks end to end, on real processes only: two signed cohortd nodes run a
// plugin check whose state the test flips, and an expression check over the
// built-in collectors; `cohort checks` reads the states they sign;
// `cohort handlers run` (a real SMTP server and a webhook receiver) is told
// each hard state change exactly once, and a node's maintenance silences it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohort, cohortBin, startFleet, startNatsServer, type CliResult, type Fleet, type NatsServer, until as waitUntil } from '../harness/index.js';
import { smtpReceiver } from './provisioning-env.js';
import { stopProcess } from '../harness/process.js';

function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 90_000, log?: () => string): Promise<void> {
  return waitUntil(what, fn, { timeoutMs, everyMs: 200, logName: 'log', ...(log ? { log } : {}) });
}

interface ChecksJson {
  checks: Array<{ identity: string; check: string; state: string; output: string; hard: boolean; last_run: number | null }>;
  stats: Record<string, number>;
}

describe('checks, events and handlers on real processes', () => {
  let dir: string;
  let nats: NatsServer;
  let fleet: Fleet;
  let smtp: Awaited<ReturnType<typeof smtpReceiver>>;
  let server: Server;
  const posts: Array<{ identity: string; check: string; state: string; previous: string }> = [];
  let service: { child: ChildProcess; log: () => string } | undefined;
  const flip = (identity: string, code: number) => writeFileSync(join(dir, `state-${identity}`), `${code}\n`);
  const run = (args: string[]): Promise<CliResult> => cohort(args, { nats: nats.url, env: fleet.clientEnv, timeoutMs: 60_000 });
  const states = async (): Promise<ChecksJson> => JSON.parse((await run(['checks', '--json'])).stdout || '{"checks":[],"stats":{}}') as ChecksJson;
  const mailsFor = (identity: string, state: string, previous = '') => smtp.mails.filter((m) => m.raw.includes(`E2E ${identity} flip ${state} was ${previous}`)).length;
  /** Wait until `identity`'s flip check has run again at least `ms` after now (so later runs had their chance to notify). */
  const runsFor = async (identity: string, ms: number) => {
    const t0 = Date.now();
    await until(`${identity} flip ran ${ms} ms on`, async () => ((await states()).checks.find((c) => c.identity === identity && c.check === 'flip')?.last_run ?? 0) >= t0 + ms);
  };
  const postsFor = (identity: string, state: string, previous?: string) => posts.filter((p) => p.identity === identity && p.check === 'flip' && p.state === state && (previous === undefined || p.previous === previous)).length;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-checks-e2e-'));
    // A plugin whose state is a file the test writes: 0 ok, 2 critical.
    const plugin = join(dir, 'check_flip');
    writeFileSync(plugin, '#!/bin/sh\ns=$(cat "$1" 2>/dev/null || echo 3)\necho "flip is $s|flip=$s;1;2"\nexit $s\n');
    chmodSync(plugin, 0o755);
    for (const id of ['e1', 'e2']) flip(id, 0);
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: join(dir, 'fleet'),
      nodes: [
        { identity: 'e1', facts: { role: 'web' }, classes: [] },
        { identity: 'e2', facts: { role: 'web' }, classes: [] },
      ],
      secure: { policies: { 'rpcutil.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n', 'checks.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n' } },
      registry: true,
      readyTimeoutMs: 300_000,
      config: {
        metrics: { interval: 1 },
        checks: {
          // $identity$: each node reads its own state file.
          flip: { command: [plugin, `${dir}/state-$identity$`], interval: '1s', retries: 2, splay: false },
          memory: { kind: 'expression', critical_if: 'memory.used_pct > 101', output: 'memory {{ memory.used_pct }} % used', interval: '1s', splay: false },
        },
      },
    });
    smtp = await smtpReceiver();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        const e = JSON.parse(body) as { event?: { identity: string; check: string; state: string; previous: string } } & { identity?: string; check?: string; state?: string; previous?: string };
        const ev = e.event ?? (e as { identity: string; check: string; state: string; previous: string });
        posts.push({ identity: ev.identity, check: ev.check, state: ev.state, previous: ev.previous });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const configFile = join(dir, 'handlers.yaml');
    writeFileSync(
      configFile,
      yaml.dump({
        collective: 'cohort',
        consumer: 'e2e',
        start: 'all',
        bucket: 'e2e_handlers',
        trust: { issuers: [fleet.issuer] },
        defaults: ['mail', 'hook'],
        handlers: {
          mail: { type: 'email', smtp: { host: '127.0.0.1', port: smtp.port, ignore_tls: true }, from: 'cohort@example.net', to: ['ops@example.net'], subject: 'E2E {{identity}} {{check}} {{STATE}} was {{PREVIOUS}}' },
          hook: { type: 'webhook', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` },
        },
      }),
    );
    const child = spawn(process.execPath, [cohortBin, 'handlers', 'run', '--config', configFile, '--nats', nats.url], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d));
    service = { child, log: () => log };
  });

  after(async () => {
    if (service) await stopProcess(service.child);
    server?.close();
    smtp?.close();
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('states signed by the nodes are read by cohort checks, the expression check runs on real collector metrics', async () => {
    await until('both nodes report flip ok and memory ok', async () => {
      const j = await states();
      return j.checks.filter((c) => c.state === 'ok').length === 4;
    });
    const j = await states();
    const memory = j.checks.find((c) => c.identity === 'e1' && c.check === 'memory')!;
    assert.match(memory.output, /^memory \d+(\.\d+)? % used$/);
    assert.equal(j.stats['ok'], 4);
    const r = await run(['checks', '--json']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('a hard CRITICAL is told once by mail and once by webhook; the recovery too; cohort checks exits 1 meanwhile', async () => {
    flip('e1', 2);
    await until('e1 flip is a hard critical', async () => (await states()).checks.some((c) => c.identity === 'e1' && c.check === 'flip' && c.state === 'critical' && c.hard));
    const bad = await run(['checks', '--json', '--state', 'critical']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.deepEqual((JSON.parse(bad.stdout) as ChecksJson).checks.map((c) => `${c.identity}/${c.check}`), ['e1/flip']);
    await until('one mail and one POST for e1 CRITICAL', () => mailsFor('e1', 'CRITICAL') >= 1 && postsFor('e1', 'critical') >= 1, 60_000, service!.log);
    flip('e1', 0);
    await until('one mail and one POST for the recovery', () => mailsFor('e1', 'OK', 'CRITICAL') >= 1 && postsFor('e1', 'ok', 'critical') >= 1, 60_000, service!.log);
    // Several more check runs (1 s apart) go by: still one notification per change, and no problem told for e2.
    await runsFor('e1', 3000);
    assert.equal(mailsFor('e1', 'CRITICAL'), 1);
    assert.equal(postsFor('e1', 'critical'), 1);
    assert.equal(mailsFor('e1', 'OK', 'CRITICAL'), 1);
    assert.equal(postsFor('e1', 'ok', 'critical'), 1);
    assert.equal(posts.filter((p) => p.identity === 'e2' && p.state !== 'ok').length, 0);
  });

  test('maintenance on a node silences its handlers until resumed', async () => {
    const m = await run(['checks', 'maintenance', 'flip', '-I', 'e2', '--for', '1h', '--reason', 'disk swap']);
    assert.equal(m.code, 0, m.stderr);
    await until('e2 flip shows maintenance', async () => (await states()).checks.some((c) => c.identity === 'e2' && c.check === 'flip' && c.state === 'maintenance'));
    flip('e2', 2);
    // The plugin's result is recorded but the state stays maintenance; nothing is told.
    await runsFor('e2', 3000);
    assert.ok((await states()).checks.some((c) => c.identity === 'e2' && c.check === 'flip' && c.state === 'maintenance'));
    assert.equal(mailsFor('e2', 'CRITICAL'), 0);
    assert.equal(postsFor('e2', 'critical'), 0);
    const r = await run(['checks', 'resume', 'flip', '-I', 'e2']);
    assert.equal(r.code, 0, r.stderr);
    await until('after resume, e2 CRITICAL is told once', () => mailsFor('e2', 'CRITICAL') === 1 && postsFor('e2', 'critical') === 1, 60_000, service!.log);
  });
});
