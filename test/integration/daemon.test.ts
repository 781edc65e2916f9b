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
import { cohort, exampleFleet, repoRoot, until } from '../harness/index.js';
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

/** A request on its way: the replies so far, until stopped. */
interface Sent {
  readonly replies: ReplyMessage[];
  stop(): void;
}

/** Subscribe to `req`'s reply subject, then publish it on `subject`. */
async function publish(subject: string, req: RequestMessage): Promise<Sent> {
  const replies: ReplyMessage[] = [];
  const sub = nc.subscribe(req.reply_to, { callback: (_e, m) => replies.push(decodeReply(m.data)) });
  await nc.flush();
  nc.publish(subject, encode(req));
  return { replies, stop: () => sub.unsubscribe() };
}

/** Publish `req` and wait for its `count` replies (no fixed window: fails after 20 s). */
async function send(subject: string, req: RequestMessage, count = 1): Promise<ReplyMessage[]> {
  const sent = await publish(subject, req);
  try {
    await until(`${count} replies to ${req.agent}#${req.action}`, () => sent.replies.length >= count, { timeoutMs: 20_000, everyMs: 20 });
    return sent.replies;
  } finally {
    sent.stop();
  }
}

/** Publish `req` and return the replies once `dropped()` says the node(s) counted it as dropped (their counters, not a time window). */
async function sendDropped(subject: string, req: RequestMessage, what: string, dropped: () => Promise<boolean>): Promise<ReplyMessage[]> {
  const sent = await publish(subject, req);
  try {
    await until(what, dropped, { timeoutMs: 20_000, everyMs: 50 });
    return sent.replies;
  } finally {
    sent.stop();
  }
}

/** rpcutil daemon_stats of one node, asked on its own subject (no discovery). Counts itself as one passed request. */
async function daemonStats(identity: string): Promise<Record<string, number>> {
  const [reply] = await send(nodeSubject('cohort', identity), request({ agent: 'rpcutil', action: 'daemon_stats' }));
  assert.equal(reply?.statuscode, 0, reply?.statusmsg);
  return reply!.data as Record<string, number>;
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
    // Every piece, on both subjects, is counted as unvalidated (the counters, not a time window, say when).
    let after = before;
    await until(
      `web1 to count ${garbage.length * 2} unvalidated messages`,
      async () => (after = await daemonStats('web1'))['unvalidated']! - before['unvalidated']! >= garbage.length * 2,
      { timeoutMs: 20_000, everyMs: 100 },
    );
    assert.equal(after['unvalidated']! - before['unvalidated']!, garbage.length * 2, `unvalidated went from ${before['unvalidated']} to ${after['unvalidated']}`);
    const replies = await send(nodeSubject('cohort', 'web1'), request({ agent: 'rpcutil', action: 'ping' }));
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.statuscode, 0);
  });

  test('an expired request is not executed and counted as ttlexpired', async () => {
    const before = await daemonStats('web2');
    const old = request({ agent: 'rpcutil', action: 'ping', ttl: 60, time: Date.now() - 3600_000 });
    let after = before;
    const replies = await sendDropped(nodeSubject('cohort', 'web2'), old, 'web2 to count the expired request', async () => (after = await daemonStats('web2'))['ttlexpired']! > before['ttlexpired']!);
    assert.deepEqual(replies, []);
    assert.equal(after['ttlexpired']! - before['ttlexpired']!, 1);
  });

  test('a request from slightly in the future (clock skew) is accepted', async () => {
    const skewed = request({ agent: 'rpcutil', action: 'ping', ttl: 60, time: Date.now() + 5000 });
    const replies = await send(nodeSubject('cohort', 'web2'), skewed);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.statuscode, 0);
  });
});

describe('node-side status codes', () => {
  test('unknown action is status 2', async () => {
    const [reply] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'rpcutil', action: 'frobnicate' }));
    assert.equal(reply?.statuscode, 2);
    assert.match(reply!.statusmsg, /frobnicate/);
  });
  test('unknown agent on a direct request is status 2', async () => {
    const [reply] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'nosuchagent', action: 'x' }));
    assert.equal(reply?.statuscode, 2);
  });
  test('missing input is status 3, invalid input status 4 (validated again on the node)', async () => {
    const [missing] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'rpcutil', action: 'get_fact' }));
    assert.equal(missing?.statuscode, 3);
    const [invalid] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'echo', action: 'sleep', data: { seconds: 'soon' } }));
    assert.equal(invalid?.statuscode, 4);
    assert.match(invalid!.statusmsg, /seconds/);
  });
  test('replies carry every DDL output, pre-filled from defaults', async () => {
    const [reply] = await send(nodeSubject('cohort', 'db1'), request({ agent: 'rpcutil', action: 'get_fact', data: { fact: 'no.such.fact' } }));
    assert.equal(reply?.statuscode, 0);
    assert.ok('value' in reply!.data && 'fact' in reply!.data);
  });
  test('a broadcast that does not match the filter gets no reply', async () => {
    const filter = { ...emptyFilter(), identity: ['nobody-here'] };
    const nodes = [...env.fleet.nodes.keys()];
    const before = new Map(await Promise.all(nodes.map(async (n) => [n, (await daemonStats(n))['filtered']!] as const)));
    // Every node has seen the broadcast and filtered it out (its counter), so no reply can still come.
    const replies = await sendDropped(broadcastSubject('cohort', 'rpcutil'), request({ agent: 'rpcutil', action: 'ping', filter }), 'every node to filter the broadcast out', async () => {
      const now = await Promise.all(nodes.map(async (n) => (await daemonStats(n))['filtered']! > before.get(n)!));
      return now.every(Boolean);
    });
    assert.deepEqual(replies, []);
  });
});

describe('facts reload', () => {
  test('a changed facts file is picked up without a restart', async () => {
    const node = env.fleet.nodes.get('cache1')!;
    const facts = yaml.load(readFileSync(node.factsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(node.factsFile, yaml.dump({ ...facts, role: 'api' }));
    node.process.kill('SIGHUP');
    let found = '';
    await until(
      'cache1 to report role=api',
      async () => (found = (await cohort(['find', '-F', 'role=api', '--dt', '1'], { nats: env.nats.url })).stdout.trim()) === 'cache1',
      { timeoutMs: 30_000, everyMs: 250 },
    );
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
    const before = (await daemonStats('db2'))['passed']!;
    const replies = send(nodeSubject('cohort', 'db2'), req);
    // The sleep is in flight once it passed the pipeline: each daemon_stats call counts itself too.
    let calls = 0;
    await until('db2 to start the sleep', async () => (await daemonStats('db2'))['passed']! - before >= ++calls + 1, { timeoutMs: 20_000, everyMs: 20 });
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
    const child = spawn(process.execPath, [join(repoRoot, 'packages/server/bin/cohortd.cjs'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 1, stderr });
    });
  });
}
