// cohortd on the bus, driven with hand-built messages: bad input is dropped and
// counted while the node keeps serving; node-side status codes; TTL; reloads;
// config errors; graceful shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import yaml from 'js-yaml';
import {
  broadcastSubject,
  decodeReply,
  emptyFilter,
  encode,
  nodeSubject,
  type ReplyMessage,
  type RequestMessage,
} from '@cohort/core';
import { cohort, exampleFleet, repoRoot } from '../harness/index.js';
import { testRequest } from '../harness/messages.js';

let env: Awaited<ReturnType<typeof exampleFleet>>;
let nc: NatsConnection;

before(async () => {
  env = await exampleFleet();
  nc = await connect({ servers: env.nats.url });
});
after(async () => {
  await nc?.close();
  await env?.stop();
});

function request(fields: Partial<RequestMessage> & Pick<RequestMessage, 'agent' | 'action'>): RequestMessage {
  return testRequest(fields);
}

/** Publish `req` on `subject` and collect replies for `ms`. */
async function send(subject: string, req: RequestMessage, ms = 1500): Promise<ReplyMessage[]> {
  const replies: ReplyMessage[] = [];
  const sub = nc.subscribe(req.reply_to, { callback: (_e, m) => replies.push(decodeReply(m.data)) });
  await nc.flush();
  nc.publish(subject, encode(req));
  await new Promise((r) => setTimeout(r, ms));
  sub.unsubscribe();
  return replies;
}

async function daemonStats(identity: string): Promise<Record<string, unknown>> {
  const r = await cohort(['rpc', 'rpcutil', 'daemon_stats', '-I', identity, '--json'], { nats: env.nats.url });
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as { replies: Array<{ data: Record<string, unknown> }> };
  return res.replies[0]!.data;
}

describe('bad messages', () => {
  test('are dropped and counted; the node keeps answering', async () => {
    const before = await daemonStats('web1');
    const garbage: Uint8Array[] = [
      new TextEncoder().encode('not json at all'),
      new TextEncoder().encode('{"protocol":"cohort:request:1"'),
      new TextEncoder().encode(JSON.stringify({ protocol: 'cohort:request:99', id: 'x' })),
      new TextEncoder().encode(JSON.stringify({ ...request({ agent: 'rpcutil', action: 'ping' }), ttl: 'soon' })),
      new Uint8Array([0xff, 0xfe, 0x00, 0x01]),
    ];
    for (const g of garbage) {
      nc.publish(nodeSubject('cohort', 'web1'), g);
      nc.publish(broadcastSubject('cohort', 'rpcutil'), g);
    }
    await nc.flush();
    const replies = await send(nodeSubject('cohort', 'web1'), request({ agent: 'rpcutil', action: 'ping' }), 800);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.statuscode, 0);
    const after = await daemonStats('web1');
    assert.ok(
      Number(after['unvalidated']) - Number(before['unvalidated']) >= garbage.length * 2,
      `unvalidated went from ${String(before['unvalidated'])} to ${String(after['unvalidated'])}`,
    );
  });

  test('an expired request is not executed and counted as ttlexpired', async () => {
    const before = await daemonStats('web2');
    const old = request({ agent: 'rpcutil', action: 'ping', ttl: 60, time: Date.now() - 3600_000 });
    assert.deepEqual(await send(nodeSubject('cohort', 'web2'), old, 600), []);
    const after = await daemonStats('web2');
    assert.equal(Number(after['ttlexpired']) - Number(before['ttlexpired']), 1);
  });

  test('a request from slightly in the future (clock skew) is accepted', async () => {
    const skewed = request({ agent: 'rpcutil', action: 'ping', ttl: 60, time: Date.now() + 5000 });
    const replies = await send(nodeSubject('cohort', 'web2'), skewed, 600);
    assert.equal(replies.length, 1);
  });
});

describe('node-side status codes', () => {
  test('unknown action is status 2', async () => {
    const [reply] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'rpcutil', action: 'frobnicate' }), 600);
    assert.equal(reply?.statuscode, 2);
    assert.match(reply!.statusmsg, /frobnicate/);
  });
  test('unknown agent on a direct request is status 2', async () => {
    const [reply] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'nosuchagent', action: 'x' }), 600);
    assert.equal(reply?.statuscode, 2);
  });
  test('missing input is status 3, invalid input status 4 (validated again on the node)', async () => {
    const [missing] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'rpcutil', action: 'get_fact' }), 600);
    assert.equal(missing?.statuscode, 3);
    const [invalid] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'echo', action: 'sleep', data: { seconds: 'soon' } }), 600);
    assert.equal(invalid?.statuscode, 4);
    assert.match(invalid!.statusmsg, /seconds/);
  });
  test('replies carry every DDL output, pre-filled from defaults', async () => {
    const [reply] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'rpcutil', action: 'get_fact', data: { fact: 'no.such.fact' } }), 600);
    assert.equal(reply?.statuscode, 0);
    assert.ok('value' in reply!.data && 'fact' in reply!.data);
  });
  test('a broadcast that does not match the filter gets no reply', async () => {
    const filter = { ...emptyFilter(), identity: ['nobody-here'] };
    assert.deepEqual(await send(broadcastSubject('cohort', 'rpcutil'), request({ agent: 'rpcutil', action: 'ping', filter }), 600), []);
  });
});

describe('facts reload', () => {
  test('a changed facts file is picked up without a restart', async () => {
    const node = env.fleet.nodes.get('cache1')!;
    const facts = yaml.load(readFileSync(node.factsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(node.factsFile, yaml.dump({ ...facts, role: 'api' }));
    node.process.kill('SIGHUP');
    let found = '';
    for (let i = 0; i < 40 && found !== 'cache1'; i++) {
      const r = await cohort(['find', '-F', 'role=api', '--dt', '1'], { nats: env.nats.url });
      found = r.stdout.trim();
      if (found !== 'cache1') await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(found, 'cache1');
  });
});

describe('configuration errors', () => {
  test('an unknown key refuses to start, naming the key and the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-config-'));
    const file = join(dir, 'server.yaml');
    writeFileSync(file, yaml.dump({ identity: 'x', colectives: ['a'] }));
    const r = await run(['--config', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /colectives/);
    assert.ok(r.stderr.includes(file), r.stderr);
  });
  test('a wrong type refuses to start, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-config-'));
    const file = join(dir, 'server.yaml');
    writeFileSync(file, yaml.dump({ identity: 'x', collectives: 'cohort' }));
    const r = await run(['--config', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /collectives/);
  });
});

describe('graceful shutdown', () => {
  test('SIGTERM lets in-flight actions finish and reply', async () => {
    const req = request({ agent: 'echo', action: 'sleep', data: { seconds: 1 } });
    const replies = send(nodeSubject('cohort', 'db2'), req, 2500);
    await new Promise((r) => setTimeout(r, 300));
    const node = env.fleet.nodes.get('db2')!;
    const exited = new Promise<number | null>((r) => node.process.once('exit', (code) => r(code)));
    node.process.kill('SIGTERM');
    const got = await replies;
    assert.equal(got.length, 1);
    assert.equal(got[0]!.statuscode, 0);
    assert.equal(await exited, 0);
  });
});

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'packages/server/bin/cohortd.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 1, stderr });
    });
  });
}
