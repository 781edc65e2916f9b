// The handler service benchmark (`pnpm bench --handlers`): a private
// JetStream nats-server, `cohort handlers run` as a process with an email
// handler (a real SMTP server, smtp-server) and a webhook handler (node:http)
// in this process. Events are published one after another, each signed by
// its node (keys certified by a throwaway issuer), spaced by --gap ms.
// Measures event published -> handler received (mail accepted by the SMTP
// server; POST body received), target ≤ 1 s (issue 17: "an event reaches its
// handler ≤ 1 s after the check finished"; the node publishes as the check
// finishes).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect } from 'nats';
import { SMTPServer } from 'smtp-server';
import { checkEventSubject, checkEventTag, createSigner, generateKeyPair, issueCertificate, publicKeyHex, sealDataBytes, writeKeyPair } from '@cohort/core';
import { cohortBin, startNatsServer } from '../harness.mjs';
import { median, sleep } from './util.mjs';

function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const ms = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 0) : 'n/a');
const summary = (xs) => ({ count: xs.length, p50: median(xs), p95: percentile(xs, 95), p99: percentile(xs, 99), max: Math.max(...xs) });

/** @param {{ events: number, gapMs: number, log: (s: string) => void }} o */
export async function benchHandlers(o) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-handlers-'));
  const nats = await startNatsServer({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  const js = nc.jetstream();
  const issuer = generateKeyPair();
  const { publicFile } = writeKeyPair(join(dir, 'issuer'), issuer);
  const identity = 'bench1.example.net';
  const pair = generateKeyPair();
  const signer = createSigner(pair.privateKey, identity, issueCertificate(issuer.privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey), expiresAt: Date.now() + 86_400_000 }));

  const published = new Map();
  const mailMs = [];
  const postMs = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // A local test server: no reverse DNS lookup of each client (it costs ~100 ms here).
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (d) => (raw += d));
      stream.on('end', () => {
        const id = /^Subject: N (\S+)/m.exec(raw)?.[1];
        if (id && published.has(id)) mailMs.push(Date.now() - published.get(id));
        callback();
      });
    },
  });
  await new Promise((r) => smtp.listen(0, '127.0.0.1', r));
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const id = JSON.parse(body).id;
      if (published.has(id)) postMs.push(Date.now() - published.get(id));
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  const config = join(dir, 'handlers.yaml');
  writeFileSync(
    config,
    yaml.dump({
      consumer: 'bench',
      start: 'new',
      trust: { issuers: [publicFile] },
      handlers: {
        mail: { type: 'email', smtp: { host: '127.0.0.1', port: smtp.server.address().port, ignore_tls: true }, from: 'cohort@example.net', to: 'ops@example.net', subject: 'N {{id}}' },
        hook: { type: 'webhook', url: `http://127.0.0.1:${hook.address().port}/` },
      },
    }),
  );
  const child = spawn(process.execPath, [cohortBin, 'handlers', 'run', '--config', config, '--nats', nats.url], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  try {
    const deadline = Date.now() + 30_000;
    while (!log.includes('handling check events')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the handler service did not start:\n${log}`);
      await sleep(50);
    }
    o.log(`publishing ${o.events} state changes, ${o.gapMs} ms apart ...`);
    const states = ['critical', 'ok'];
    for (let i = 1; i <= o.events; i++) {
      const time = Date.now();
      const e = {
        protocol: checkEventTag,
        id: `${identity}:load:${i}`,
        collective: 'cohort',
        identity,
        check: 'load',
        sequence: i,
        previous: i === 1 ? 'pending' : states[i % 2],
        state: states[(i + 1) % 2],
        hard: true,
        output: 'bench',
        perfdata: [],
        time,
        interval: 60,
        handlers: [],
      };
      published.set(`${e.id}@${time}`, time);
      await js.publish(checkEventSubject('cohort', identity, 'load'), sealDataBytes('check-event', e, signer, time));
      await sleep(o.gapMs);
    }
    const end = Date.now() + 30_000;
    while ((mailMs.length < o.events || postMs.length < o.events) && Date.now() < end) await sleep(50);
    return { events: o.events, gapMs: o.gapMs, mail: summary(mailMs), post: summary(postMs) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    hook.close();
    smtp.close();
    await nc.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderHandlers(env, r) {
  const row = (what, s) => `| ${what} (${s.count} of ${r.events}) | p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms, p99 ${ms(s.p99)} ms, max ${ms(s.max)} ms | ≤ 1 s |`;
  return [
    `# Handler service benchmark, ${env.date}`,
    '',
    `${env.cpus} × ${env.cpuModel}, ${env.memGb} GiB, Node ${env.node}, ${env.natsServer}; load average before: ${env.loadBefore.toFixed(2)}.`,
    `\`cohort handlers run\` with an email and a webhook handler; ${r.events} signed state changes published ${r.gapMs} ms apart into the events stream; each verified, decided, recorded (key-value) and delivered exactly once.`,
    '',
    '| measurement: event published → handler received | result | target |',
    '|---|---|---|',
    row('mail accepted by the SMTP server', r.mail),
    row('webhook POST received', r.post),
    '',
  ].join('\n');
}
