// The helper manager against a fake helper speaking the same line protocol:
// one warm process, requests queued in order, restart after a death, abort
// kills a stuck helper, read retries, dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PuppetHelper, PuppetHelperError, type HelperCall } from '@cohort/agents';
import { fakeHelperScript, memoryLog } from './puppetral-fakes.js';

const fake = fakeHelperScript();
const never = new AbortController().signal;

function helper(extraArgs: string[] = [], readyTimeoutMs?: number): PuppetHelper {
  return new PuppetHelper({ launch: () => ({ command: process.execPath, args: [fake, ...extraArgs] }), log: memoryLog(), ...(readyTimeoutMs ? { readyTimeoutMs } : {}) });
}

const find = (title: string, type = 'host'): HelperCall => ({ op: 'find', type, title, parameters: {} });

function resultOf(reply: Awaited<ReturnType<PuppetHelper['call']>>): Record<string, unknown> {
  assert.ok(reply.ok, JSON.stringify(reply));
  return reply.result as Record<string, unknown>;
}

test('one warm helper answers queued requests in order', async () => {
  const h = helper();
  try {
    const replies = await Promise.all(['a', 'b', 'c', 'd'].map((t) => h.call(find(t), never)));
    assert.deepEqual(replies.map((r) => (resultOf(r)['parameters'] as Record<string, unknown>)['name']), ['a', 'b', 'c', 'd']);
    assert.equal(h.starts, 1);
    const pids = new Set(replies.map((r) => resultOf(r)['pid']));
    assert.deepEqual([...pids], [h.pid]);
  } finally {
    await h.dispose();
  }
});

test('a helper that died is replaced on the next request', async () => {
  const h = helper();
  try {
    await h.call(find('a'), never);
    const first = h.pid;
    assert.ok(first !== undefined);
    process.kill(first, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    const reply = await h.call(find('b'), never);
    assert.equal(h.starts, 2);
    assert.notEqual(resultOf(reply)['pid'], first);
  } finally {
    await h.dispose();
  }
});

test('a read that loses its helper is retried once; an apply is not', async () => {
  const h = helper();
  try {
    const read = await h.call(find('x', 'die'), never).catch((e: unknown) => e);
    assert.ok(read instanceof PuppetHelperError && read.exited);
    assert.match(read.message, /exited with code 3; its last output: dying on purpose/);
    assert.equal(h.starts, 2, 'the find was retried on a second helper');
    const apply = await h.call({ op: 'apply', type: 'die', title: 'x', parameters: {} }, never).catch((e: unknown) => e);
    assert.ok(apply instanceof PuppetHelperError);
    assert.equal(h.starts, 3, 'the apply ran once');
    resultOf(await h.call(find('ok'), never));
  } finally {
    await h.dispose();
  }
});

test('aborting a stuck request kills the helper; queued requests still run on a new one', async () => {
  const h = helper();
  try {
    await h.call(find('warm'), never);
    const stuckPid = h.pid;
    const ctl = new AbortController();
    const stuck = h.call(find('x', 'hang'), ctl.signal);
    const queued = h.call(find('after'), never);
    setTimeout(() => ctl.abort(new Error('timed out')), 100);
    await assert.rejects(stuck, /timed out/);
    const after = resultOf(await queued);
    assert.notEqual(after['pid'], stuckPid);
    assert.equal(h.starts, 2);
    // A request aborted while it waits in the queue never reaches the helper.
    const gone = new AbortController();
    gone.abort(new Error('gave up'));
    await assert.rejects(h.call(find('y'), gone.signal), /gave up/);
    assert.equal(h.starts, 2);
  } finally {
    await h.dispose();
  }
});

test('a reply to the wrong request is a protocol error and the helper is replaced', async () => {
  const h = helper();
  try {
    await assert.rejects(h.call(find('x', 'wrongid'), never), (e: unknown) => e instanceof PuppetHelperError && /answered request \d+ instead of \d+/.test(e.message));
    resultOf(await h.call(find('ok'), never));
    assert.equal(h.starts, 2);
  } finally {
    await h.dispose();
  }
});

test('Puppet failing to load is reported with its reason and not retried', async () => {
  const h = helper(['--not-ready']);
  const err = await h.call(find('x'), never).catch((e: unknown) => e);
  assert.ok(err instanceof PuppetHelperError);
  assert.match(err.message, /did not start .*Puppet did not load: LoadError: cannot load such file -- puppet/);
  assert.equal(h.starts, 1);
  await h.dispose();
});

test('a command that cannot run, and dispose, are errors that say so', async () => {
  const missing = new PuppetHelper({ launch: () => ({ command: '/nonexistent/ruby', args: [] }), log: memoryLog() });
  await assert.rejects(missing.call(find('x'), never), /did not start .*could not be started \(\/nonexistent\/ruby\)/);
  const h = helper();
  await h.call(find('x'), never);
  const pid = h.pid;
  await h.dispose();
  assert.equal(h.pid, undefined);
  assert.throws(() => process.kill(pid ?? 0, 0), /ESRCH/, 'the helper process is gone');
  await assert.rejects(h.call(find('x'), never), /shutting down/);
});
