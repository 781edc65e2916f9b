// The console's job history over a fake bus and client (the library's own
// interfaces): replies recorded and followed as they come (a late follower
// first gets the ones so far), failures and non-replies counted, the DDL
// summary made, the record stored in the bucket and read back by a new
// history (a restart), and the bucket bounded to the newest `keep` jobs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus, Client, Reply, RpcStats } from '@cohort/client';
import { createDdlSource } from '@cohort/client';
import { until } from '../harness/wait.ts';
import { Jobs, newJobId, type JobDetail, type JobRecord, type JobReply } from '../../packages/web/src/jobs.ts';

type Rev = { key: string; value: Uint8Array; revision: number; operation: 'PUT' | 'DEL' | 'PURGE'; created: number };

function fakeBus(): { bus: Bus; store: Map<string, Rev> } {
  const store = new Map<string, Rev>();
  let rev = 0;
  const kv = {
    bucket: 'cohort_web_jobs',
    async put(key: string, value: Uint8Array) {
      store.set(key, { key, value, revision: ++rev, operation: 'PUT', created: Date.now() });
      return rev;
    },
    async get(key: string) {
      return store.get(key);
    },
    async delete(key: string) {
      store.delete(key);
    },
    async keys() {
      return [...store.keys()];
    },
  };
  return { bus: { kvStore: async () => kv } as unknown as Bus, store };
}

/** A client whose call yields `replies` when `release` is called, then ends with `noReply` unanswered. */
function fakeClient(replies: Array<Pick<Reply, 'sender' | 'statuscode' | 'statusmsg' | 'data'>>, noReply: string[]): { client: Client; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const client = {
    caller: { callerid: 'user=alice', collective: 'cohort', sender: 'test' },
    rpc() {
      return {
        async *[Symbol.asyncIterator]() {
          await gate;
          for (const r of replies) yield { ...r, agent: 'nrpe', action: 'runcommand', time: 0, elapsed_ms: 3, unexpected: false };
        },
        async stats(): Promise<RpcStats> {
          await gate;
          return { no_response: noReply } as unknown as RpcStats;
        },
      };
    },
  } as unknown as Client;
  return { client, release };
}

const quiet = { warn: () => undefined, info: () => undefined };
const action = createDdlSource().get('nrpe').actions.find((a) => a.action === 'runcommand')!;
const record = (id: string): JobRecord => ({ id, user: 'alice', callerid: 'user=alice', agent: 'nrpe', action: 'runcommand', inputs: { command: 'check_x' }, filter: '', started: 0, discovered: 3, ok: 0, failed: 0, noreply: 0 });
const data = (exitcode: number) => ({ exitcode, output: 'x', perfdata: '', command: 'check_x' });

async function finished(jobs: Jobs, id: string): Promise<JobDetail> {
  return new Promise((resolve) => void jobs.follow(id, { reply: () => undefined, done: resolve }));
}

describe('job history', () => {
  test('replies streamed in order, late followers catch up, counts and summary, stored and read back after a restart', async () => {
    const { bus, store } = fakeBus();
    const jobs = new Jobs({ bus, bucket: 'cohort_web_jobs', keep: 10, log: quiet });
    await jobs.open();
    const { client, release } = fakeClient([{ sender: 'a', statuscode: 0, statusmsg: 'OK', data: data(0) }, { sender: 'b', statuscode: 1, statusmsg: 'Aborted', data: data(2) }], ['c']);
    const id = newJobId(Date.now());
    jobs.start(client, action, record(id), ['a', 'b', 'c'], {});
    assert.equal(jobs.list(5)[0]?.finished, undefined, 'listed while running');
    const early: JobReply[] = [];
    const done = new Promise<JobDetail>((resolve) => void jobs.follow(id, { reply: (r) => early.push(r), done: resolve }));
    release();
    const d = await done;
    assert.deepEqual(early.map((r) => r.identity), ['a', 'b']);
    assert.equal(d.job.ok, 1);
    assert.equal(d.job.failed, 1);
    assert.equal(d.job.noreply, 1);
    assert.deepEqual(d.noreply, ['c']);
    assert.equal(typeof d.job.finished, 'number');
    assert.deepEqual(Object.fromEntries(d.summary[0]!.counts!), { OK: 1, WARNING: 0, CRITICAL: 1, UNKNOWN: 0 });
    const late: JobReply[] = [];
    await new Promise<void>((resolve) => void jobs.follow(id, { reply: (r) => late.push(r), done: () => resolve() }));
    assert.equal(late.length, 2);
    await until('the job to be stored', () => store.has(`job.${id}`), { timeoutMs: 5000, everyMs: 1 });
    const restarted = new Jobs({ bus, bucket: 'cohort_web_jobs', keep: 10, log: quiet });
    await restarted.open();
    assert.deepEqual(restarted.list(10).map((j) => j.id), [id]);
    const back = await restarted.get(id);
    assert.deepEqual(back?.replies.map((r) => r.identity), ['a', 'b']);
    assert.equal(back?.summary.length, 1);
    assert.equal(await restarted.get('nosuch-00'), undefined);
    assert.equal(await restarted.get('../../x'), undefined);
  });

  test('the bucket keeps the newest `keep` jobs', async () => {
    const { bus, store } = fakeBus();
    const jobs = new Jobs({ bus, bucket: 'cohort_web_jobs', keep: 2, log: quiet });
    await jobs.open();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { client, release } = fakeClient([{ sender: 'a', statuscode: 0, statusmsg: 'OK', data: data(0) }], []);
      const id = newJobId(1_700_000_000_000 + i);
      ids.push(id);
      jobs.start(client, action, record(id), ['a'], {});
      release();
      await finished(jobs, id);
      // Stored (and the bucket trimmed) after done is told.
      await until(`job ${i} stored`, () => store.has(`job.${id}`) && store.size <= 2, { timeoutMs: 5000, everyMs: 1 });
    }
    assert.deepEqual([...store.keys()].sort(), ids.slice(2).map((id) => `job.${id}`));
    const restarted = new Jobs({ bus, bucket: 'cohort_web_jobs', keep: 2, log: quiet });
    await restarted.open();
    assert.deepEqual(restarted.list(10).map((j) => j.id), ids.slice(2).reverse());
  });

  test('a job the console was stopped in the middle of stays in the history, interrupted, its missing nodes retryable', async () => {
    const { bus, store } = fakeBus();
    const id = newJobId(1_700_000_000_000);
    const running: JobDetail = { job: record(id), replies: [{ identity: 'a', statuscode: 0, statusmsg: 'OK', data: data(0), ms: 2 }], noreply: [], summary: [], targets: ['a', 'b', 'c'] };
    store.set(`job.${id}`, { key: `job.${id}`, value: new TextEncoder().encode(JSON.stringify(running)), revision: 1, operation: 'PUT', created: 0 });
    const jobs = new Jobs({ bus, bucket: 'cohort_web_jobs', keep: 10, log: quiet });
    await jobs.open();
    const [listed] = jobs.list(5);
    assert.equal(listed?.interrupted, true);
    assert.equal(listed?.finished, listed?.started);
    assert.equal(listed?.noreply, 2);
    const d = await jobs.get(id);
    assert.deepEqual(d?.noreply, ['b', 'c']);
    assert.equal(JSON.parse(new TextDecoder().decode(store.get(`job.${id}`)!.value)).job.interrupted, true, 'written back');
  });

  test('a job is in the bucket from its start', async () => {
    const { bus, store } = fakeBus();
    const jobs = new Jobs({ bus, bucket: 'cohort_web_jobs', keep: 10, log: quiet });
    await jobs.open();
    const { client, release } = fakeClient([{ sender: 'a', statuscode: 0, statusmsg: 'OK', data: data(0) }], []);
    const id = newJobId(Date.now());
    jobs.start(client, action, record(id), ['a'], {});
    await until('the running job to be stored', () => store.has(`job.${id}`), { timeoutMs: 5000, everyMs: 1 });
    assert.equal(JSON.parse(new TextDecoder().decode(store.get(`job.${id}`)!.value)).job.finished, undefined);
    release();
    await finished(jobs, id);
    await until('the finished job to be stored', () => JSON.parse(new TextDecoder().decode(store.get(`job.${id}`)!.value)).job.finished !== undefined, { timeoutMs: 5000, everyMs: 1 });
  });

  test('job ids sort by time', () => {
    assert.ok(newJobId(1000) < newJobId(2000));
    assert.ok(newJobId(Date.now()) > newJobId(Date.now() - 86_400_000));
  });
});
