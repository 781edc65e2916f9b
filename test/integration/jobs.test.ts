// Async jobs against five real cohortd processes and a JetStream nats-server:
// `cohort rpc --async` prints a job id at once; the replies are kept by the
// server even when the client is SIGKILLed right after printing it (before any
// node replied), or a watcher dies; `cohort job show|watch|list` read them
// back; the stream's retention comes from flags and the config file and is
// enforced; normal (sync) replies never land in the stream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { cohort, cohortBin, exampleClientConfig, exampleFleet, startNatsServer, until, WaitTimeout } from '../harness/index.js';

const stream = 'cohort_jobs_cohort';
const nodes = ['cache1', 'db1', 'db2', 'web1', 'web2'];

interface ShowJson {
  job: { id: string; nodes: string[]; agent: string; action: string };
  replies: Array<{ sender: string; statuscode: number }>;
  stats: { discovered: number; responded: number; ok: number; no_response: string[] };
}

let env: Awaited<ReturnType<typeof exampleFleet>>;
let nats: string;
let nc: NatsConnection;
let jsm: JetStreamManager;
let work: string;

before(async () => {
  env = await exampleFleet();
  nats = env.nats.url;
  nc = await connect({ servers: nats });
  jsm = await nc.jetstreamManager();
  work = mkdtempSync(join(tmpdir(), 'cohort-jobs-'));
});
after(async () => {
  await nc?.close();
  await env?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Start `cohort rpc ... --async`, SIGKILL it the moment it has printed the job id; resolves with the id. */
function submitAndKill(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cohortBin, ...args], { env: { ...process.env, NO_COLOR: '1', COHORT_CONFIG: exampleClientConfig, COHORT_NATS: nats } });
    let out = '';
    let err = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /^([0-9a-f]{32})\n/.exec(out);
      if (m) {
        child.kill('SIGKILL');
        clearTimeout(guard);
        resolve(m[1]!);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL' || !/^[0-9a-f]{32}\n/.test(out)) reject(new Error(`cohort exited (${code ?? signal}) without printing a job id: ${out}${err}`));
    });
  });
}

async function show(id: string): Promise<ShowJson> {
  const r = await cohort(['job', 'show', id, '--json'], { nats });
  assert.ok(r.code === 0 || r.code === 1, `job show exits 0 or 1: ${r.code} ${r.stderr}`);
  return JSON.parse(r.stdout) as ShowJson;
}

/** Poll `job show` until every node replied (bounded: fails after `ms`). */
async function showComplete(id: string, ms = 20000): Promise<ShowJson> {
  let doc: ShowJson | undefined;
  try {
    await until(`job ${id} complete`, async () => (doc = await show(id)).stats.responded === doc.stats.discovered, { timeoutMs: ms, everyMs: 250 });
  } catch (err) {
    if (!(err instanceof WaitTimeout)) throw err;
    assert.fail(`job ${id} still missing ${doc?.stats.no_response.join(', ')} after ${ms} ms`);
  }
  return doc!;
}

async function streamMessages(): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}

describe('cohort rpc --async and cohort job', () => {
  test('--async prints the job id, then job watch and job show have every reply', async () => {
    const sent = await cohort(['rpc', 'rpcutil', 'ping', '--async'], { nats });
    assert.equal(sent.code, 0, sent.stderr);
    const id = sent.stdout.trim();
    assert.match(id, /^[0-9a-f]{32}$/, 'stdout is the job id alone');
    assert.match(sent.stderr, new RegExp(`replies are kept in stream ${stream}.*cohort job watch ${id}`));

    const watched = await cohort(['job', 'watch', id, '-t', '20'], { nats });
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /Finished processing 5 \/ 5 hosts/);

    const doc = await show(id);
    assert.equal(doc.job.id, id);
    assert.deepEqual([...doc.job.nodes].sort(), nodes);
    assert.deepEqual(doc.replies.map((r) => r.sender).sort(), nodes);
    assert.deepEqual(doc.stats.no_response, []);
    assert.equal(doc.stats.ok, 5);
  });

  test('a client SIGKILLed right after printing the job id, before any node replied, loses nothing', async () => {
    const id = await submitAndKill(['rpc', 'echo', 'sleep', 'seconds=1.5', '--async']);
    const early = await show(id);
    assert.equal(early.stats.discovered, 5, 'the job record was stored before the id was printed');
    const doc = await showComplete(id);
    assert.deepEqual(doc.replies.map((r) => r.sender).sort(), nodes);
    assert.ok(doc.replies.every((r) => r.statuscode === 0));
  });

  test('a watcher killed before the nodes replied: job show later has every reply', async () => {
    const sent = await cohort(['rpc', 'echo', 'sleep', 'seconds=1.5', '--async'], { nats });
    assert.equal(sent.code, 0, sent.stderr);
    const id = sent.stdout.trim();
    const watcher = await cohort(['job', 'watch', id, '-t', '30'], { nats, timeoutMs: 300 });
    assert.equal(watcher.code, 128, 'the watcher was killed while waiting');
    const doc = await showComplete(id);
    assert.equal(doc.stats.ok, 5);
  });

  test('a node that never replies: job show lists it as missing, job watch ends at its timeout (exit 1)', async () => {
    const sent = await cohort(['rpc', 'rpcutil', 'ping', '--async', '-I', 'web1', '-I', 'ghost'], { nats });
    assert.equal(sent.code, 0, sent.stderr);
    const id = sent.stdout.trim();
    const watched = await cohort(['job', 'watch', id, '-t', '3'], { nats });
    assert.equal(watched.code, 1);
    assert.match(watched.stdout, /Finished processing 1 \/ 2 hosts/);
    const r = await cohort(['job', 'show', id], { nats });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /No response from:\s+ghost/);
    const doc = await show(id);
    assert.deepEqual(doc.stats.no_response, ['ghost']);
  });

  test('job list shows the jobs with replies / expected', async () => {
    const r = await cohort(['job', 'list', '--json'], { nats });
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ id: string; expected: number; replies: number; complete: boolean }>;
    assert.ok(rows.length >= 4, `${rows.length} jobs`);
    assert.equal(rows.filter((row) => row.complete && row.replies === row.expected).length, rows.length - 1, 'every job but the one with a ghost node is complete');
    assert.ok(rows.some((row) => !row.complete && row.expected === 2 && row.replies === 1), 'the ghost job: 1 of 2');
    const text = await cohort(['job', 'list'], { nats });
    assert.match(text.stdout, new RegExp(`${rows.length} job\\(s\\) in stream ${stream} \\(max age 1d, max 256 MiB, max 100000 messages\\)`));
  });

  test('normal (sync) replies never land in the job stream', async () => {
    const before = await streamMessages();
    const r = await cohort(['rpc', 'rpcutil', 'ping'], { nats });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await streamMessages(), before);
  });

  test('retention comes from flags, then the config file, and the server enforces it', async () => {
    const sent = await cohort(['rpc', 'rpcutil', 'ping', '--async', '--jobs-max-age', '2h', '--jobs-max-bytes', '1MiB', '--jobs-max-messages', '500'], { nats });
    assert.equal(sent.code, 0, sent.stderr);
    let cfg = (await jsm.streams.info(stream)).config;
    assert.equal(cfg.max_age, 7200 * 1e9);
    assert.equal(cfg.max_bytes, 1024 * 1024);
    assert.equal(cfg.max_msgs, 500);
    await showComplete(sent.stdout.trim()); // every reply of the first job is in the stream

    const seqBefore = (await jsm.streams.info(stream)).state.last_seq;
    const config = join(work, 'client.yaml');
    writeFileSync(config, 'collective: cohort\njobs: { max_age: 3h, max_bytes: 64MiB, max_messages: 3 }\n');
    const small = await cohort(['rpc', 'rpcutil', 'ping', '--async'], { nats, env: { COHORT_CONFIG: config } });
    assert.equal(small.code, 0, small.stderr);
    const info = await jsm.streams.info(stream);
    cfg = info.config;
    assert.equal(cfg.max_age, 3 * 3600 * 1e9);
    assert.equal(cfg.max_bytes, 64 * 1024 * 1024);
    assert.equal(cfg.max_msgs, 3);
    // The job's record and its five replies have reached the stream (its sequence, not a time window).
    await until('the job record and five replies in the stream', async () => (await jsm.streams.info(stream)).state.last_seq >= seqBefore + 1 + nodes.length, { timeoutMs: 20_000, everyMs: 100 });
    assert.equal((await jsm.streams.info(stream)).state.last_seq, seqBefore + 1 + nodes.length, 'one record and one reply per node, nothing more');
    assert.ok((await streamMessages()) <= 3, 'the oldest messages were discarded at the limit');
  });

  test('bad job ids and retention values are refused naming them (exit 2)', async () => {
    const bad = await cohort(['job', 'show', 'nope'], { nats });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /job id 'nope' is not valid/);
    const missing = await cohort(['job', 'show', '0'.repeat(32)], { nats });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`no job 0{32} of user=\\S+ in stream ${stream}`));
    const age = await cohort(['rpc', 'rpcutil', 'ping', '--async', '--jobs-max-age', 'forever'], { nats });
    assert.equal(age.code, 2);
    assert.match(age.stderr, /command line: key 'jobs\.max_age' must be an age: seconds or e\.g\. 30m, 24h, 7d \(at least 1 s\) \(got "forever"\)/);
    const batch = await cohort(['rpc', 'rpcutil', 'ping', '--async', '--batch', '2'], { nats });
    assert.equal(batch.code, 2);
    assert.match(batch.stderr, /--batch cannot be used with --async/);
    const sync = await cohort(['rpc', 'rpcutil', 'ping', '--jobs-max-age', '1h'], { nats });
    assert.equal(sync.code, 2);
    assert.match(sync.stderr, /--jobs-max-age only applies with --async/);
  });

  test('without JetStream, --async sends nothing and says why (exit 2)', async () => {
    const plain = await startNatsServer();
    try {
      const spy = await connect({ servers: plain.url });
      const seen: string[] = [];
      spy.subscribe('cohort.>', { callback: (_e, m) => seen.push(m.subject) });
      await spy.flush();
      const r = await cohort(['rpc', 'rpcutil', 'ping', '--async', '-I', 'web1'], { nats: plain.url });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /has no JetStream \(start it with -js/);
      const shown = await cohort(['job', 'list'], { nats: plain.url });
      assert.equal(shown.code, 2);
      assert.match(shown.stderr, /has no JetStream/);
      await spy.flush();
      assert.deepEqual(seen, [], 'no request was sent');
      await spy.close();
    } finally {
      await plain.stop();
    }
  });
});
