// cohort kv against a real nats-server with JetStream: put/get/del/ls/history
// round trips (a value from standard input, --json, a binary-free 1 MiB
// limit), watch printing changes live, exit codes for a missing bucket or key,
// and NATS permissions: with a server config of two users, the read-only
// user reads and watches but its put is refused with a clear message, the
// read-write user writes (the subjects documented in docs/service-discovery.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cohort, cohortBin, startNatsServer, until, type NatsServer } from '../harness/index.js';

/** A long-running `cohort kv watch`, its output collected. */
function startWatch(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [cohortBin, 'kv', 'watch', '-v', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited };
}

describe('cohort kv', () => {
  let nats: NatsServer;
  let env: Record<string, string>;
  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    env = { COHORT_NATS: nats.url };
  });
  after(async () => {
    await nats?.stop();
  });

  test('a missing bucket and a missing key exit 3 with a message', async () => {
    const r = await cohort(['kv', 'get', 'nothing'], { env });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /there is no key-value bucket cohort_kv_cohort \(it is created by the first cohort kv put\)/);
    assert.equal((await cohort(['kv', 'put', 'app.first', 'x'], { env })).code, 0);
    const missing = await cohort(['kv', 'get', 'app.nothing'], { env });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /there is no key app\.nothing in bucket cohort_kv_cohort/);
    const bad = await cohort(['kv', 'put', 'bad key', 'x'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /key 'bad key' may hold only letters, digits/);
  });

  test('put, get, ls, history, del round trip (value from standard input, --json)', async () => {
    const put1 = await cohort(['kv', 'put', 'haproxy.maxconn', '1024', '--json'], { env });
    assert.equal(put1.code, 0, put1.stderr);
    const first = JSON.parse(put1.stdout) as { bucket: string; key: string; revision: number };
    assert.equal(first.bucket, 'cohort_kv_cohort');
    assert.equal(first.key, 'haproxy.maxconn');
    const text = 'line one\nline two: ünïcode\n';
    assert.equal((await cohort(['kv', 'put', 'haproxy.maxconn', '-'], { env, input: text })).code, 0);
    const get = await cohort(['kv', 'get', 'haproxy.maxconn'], { env });
    assert.equal(get.code, 0);
    assert.equal(get.stdout, text);
    const getJson = JSON.parse((await cohort(['kv', 'get', 'haproxy.maxconn', '--json'], { env })).stdout) as Record<string, unknown>;
    assert.equal(getJson['value'], text);
    assert.equal(getJson['operation'], 'PUT');
    assert.equal(getJson['revision'], first.revision + 1);
    const old = await cohort(['kv', 'get', 'haproxy.maxconn', '--revision', String(first.revision)], { env });
    assert.equal(old.stdout, '1024');
    const ls = JSON.parse((await cohort(['kv', 'ls', 'haproxy.>', '--json'], { env })).stdout) as string[];
    assert.deepEqual(ls, ['haproxy.maxconn']);
    assert.equal((await cohort(['kv', 'del', 'haproxy.maxconn'], { env })).code, 0);
    const gone = await cohort(['kv', 'get', 'haproxy.maxconn'], { env });
    assert.equal(gone.code, 3);
    assert.match(gone.stderr, /was deleted/);
    const history = JSON.parse((await cohort(['kv', 'history', 'haproxy.maxconn', '--json'], { env })).stdout) as Array<{ operation: string; value?: string }>;
    assert.deepEqual(history.map((h) => [h.operation, h.value]), [['PUT', '1024'], ['PUT', text], ['DEL', undefined]]);
    const human = await cohort(['kv', 'history', 'haproxy.maxconn'], { env });
    assert.match(human.stdout, /^\d+ \S+ haproxy\.maxconn PUT "1024"\n/);
    assert.equal((await cohort(['kv', 'ls', 'haproxy.>'], { env })).code, 3);
    // Another bucket, created with its own history.
    assert.equal((await cohort(['kv', 'put', '--bucket', 'other', '--history', '2', 'k', 'v1'], { env })).code, 0);
    for (const v of ['v2', 'v3']) await cohort(['kv', 'put', '-b', 'other', 'k', v], { env });
    const kept = JSON.parse((await cohort(['kv', 'history', '-b', 'other', 'k', '--json'], { env })).stdout) as Array<{ value: string }>;
    assert.deepEqual(kept.map((h) => h.value), ['v2', 'v3']);
  });

  test('a value over 1 MiB is refused before anything is sent', async () => {
    const r = await cohort(['kv', 'put', 'big', '-'], { env, input: 'x'.repeat(1024 * 1024 + 1) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /at most 1048576 \(1 MiB\)/);
  });

  test('watch prints the current value, then changes as they happen', async () => {
    assert.equal((await cohort(['kv', 'put', 'w.a', 'one'], { env })).code, 0);
    const w = startWatch(['w.>', '--json'], env);
    const seen = { timeoutMs: 10_000, everyMs: 25, log: () => `${w.out()}\n${w.err()}`, logName: 'cohort kv watch' };
    try {
      await until('the watch to start', () => w.err().includes('watching w.> in bucket cohort_kv_cohort'), seen);
      await until('the current value', () => w.out().includes('"value":"one"'), seen);
      assert.equal((await cohort(['kv', 'put', 'w.b', 'two'], { env })).code, 0);
      await until('the put to show', () => w.out().includes('"key":"w.b"'), seen);
      assert.equal((await cohort(['kv', 'del', 'w.a'], { env })).code, 0);
      await until('the delete to show', () => w.out().includes('"operation":"DEL"'), seen);
      const lines = w.out().trim().split('\n').map((l) => JSON.parse(l) as { key: string; operation: string; value?: string });
      assert.deepEqual(lines.map((l) => [l.key, l.operation, l.value]), [['w.a', 'PUT', 'one'], ['w.b', 'PUT', 'two'], ['w.a', 'DEL', undefined]]);
    } finally {
      w.child.kill('SIGINT');
    }
    assert.equal(await w.exited, 0);
    // --count ends the watch by itself.
    const counted = await cohort(['kv', 'watch', 'w.>', '--count', '1'], { env });
    assert.equal(counted.code, 0);
    assert.match(counted.stdout, /w\.b PUT "two"/);
  });
});

describe('cohort kv with NATS permissions (read-only and read-write users)', () => {
  let nats: NatsServer;
  let dir: string;
  const stream = 'KV_cohort_kv_cohort';
  // Exactly the subjects docs/service-discovery.md gives (inboxes: _INBOX.> here; per caller in the docs).
  const read = [
    '$JS.API.INFO',
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.FC.${stream}.>`,
  ];
  const write = [...read, `$JS.API.STREAM.CREATE.${stream}`, '$KV.cohort_kv_cohort.>'];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-kv-perm-'));
    const conf = join(dir, 'nats.conf');
    const user = (name: string, password: string, publish: string[]) =>
      `{ user: ${name}, password: ${password}, permissions: { publish: ${JSON.stringify(publish)}, subscribe: ["_INBOX.>"] } }`;
    writeFileSync(conf, `authorization { users = [\n${user('reader', 'rpass', read)}\n${user('writer', 'wpass', write)}\n] }\n`);
    nats = await startNatsServer({ jetstream: true, args: ['-c', conf] });
  });
  after(async () => {
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const as = (who: 'reader' | 'writer', args: string[]) =>
    cohort(['kv', ...args, '--user', who, '--password', who === 'reader' ? 'rpass' : 'wpass'], { env: { COHORT_NATS: nats.url } });

  test('the read-only user cannot create the bucket; the writer can', async () => {
    const r = await as('reader', ['put', 'cfg.a', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the bucket cohort_kv_cohort does not exist \(or cannot be read\) and this NATS user may not create it: the NATS admin creates every stream and bucket of the collective once with `cohort bus init`/);
    assert.equal((await as('writer', ['put', 'cfg.a', '1'])).code, 0);
  });

  test('the read-only user reads, lists, watches and reads history; its put and del are refused clearly', async () => {
    assert.equal((await as('writer', ['put', 'cfg.a', '2'])).code, 0);
    const get = await as('reader', ['get', 'cfg.a']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, '2');
    assert.deepEqual(JSON.parse((await as('reader', ['ls', '--json'])).stdout), ['cfg.a']);
    const history = await as('reader', ['history', 'cfg.a', '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.equal((JSON.parse(history.stdout) as unknown[]).length, 2);
    const watched = await as('reader', ['watch', '--count', '1']);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /cfg\.a PUT "2"/);
    const put = await as('reader', ['put', 'cfg.a', '3']);
    assert.equal(put.code, 1);
    assert.match(put.stderr, /writing cfg\.a \(bucket cohort_kv_cohort\) was refused by the NATS server: this NATS user has no permission for it .*\$KV\.cohort_kv_cohort\.cfg\.a/);
    assert.match(put.stderr, /Key-value store" in docs\/service-discovery\.md/);
    const del = await as('reader', ['del', 'cfg.a']);
    assert.equal(del.code, 1);
    assert.match(del.stderr, /deleting cfg\.a \(bucket cohort_kv_cohort\) was refused/);
    assert.equal((await as('reader', ['get', 'cfg.a'])).stdout, '2');
  });
});
