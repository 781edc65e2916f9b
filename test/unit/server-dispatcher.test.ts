import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError, type ActionHandler, type NodeInfo } from '@cohort/agents';
import { silentLogger } from '@cohort/core/log';
import { dispatch, type ContextBase } from '@cohort/server';
import { until } from '../harness/wait.js';

const base: ContextBase = {
  log: silentLogger(),
  node: {} as NodeInfo,
  request: { id: 'a'.repeat(32), callerid: 'user=t', sender: 'cli', agent: 'echo', action: 'x', collective: 'cohort' },
};

const run = (handler: ActionHandler, timeoutMs = 1000, shutdown?: AbortSignal) =>
  dispatch('x', handler, { in: 1 }, base, { timeoutMs, ...(shutdown ? { shutdown } : {}) });

test('a returned object is status 0 OK with that data; nothing returned is empty data', async () => {
  assert.deepEqual(await run((input) => ({ got: input })), { status: 0, message: 'OK', data: { got: { in: 1 } } });
  assert.deepEqual(await run(async () => undefined), { status: 0, message: 'OK', data: {} });
});

test('the context carries the request, node, log, a live signal and fail()', async () => {
  let seen: Parameters<ActionHandler>[1] | undefined;
  await run((_input, ctx) => {
    seen = ctx;
    return {};
  });
  assert.equal(seen?.request.id, base.request.id);
  assert.equal(seen?.node, base.node);
  assert.equal(seen?.signal.aborted, false);
  assert.equal(typeof seen?.fail, 'function');
});

test('a thrown exception is status 5 "Unknown error: ..."', async () => {
  const sync = await run(() => {
    throw new Error('kaboom');
  });
  assert.equal(sync.status, 5);
  assert.equal(sync.message, 'Unknown error: kaboom');
  assert.ok(sync.error instanceof Error);
  const async = await run(async () => Promise.reject(new TypeError('nope')));
  assert.equal(async.status, 5);
  assert.equal(async.message, 'Unknown error: nope');
});

test('AgentError and fail() keep their status and message', async () => {
  assert.deepEqual(await run(() => { throw new AgentError('not today', 1); }), { status: 1, message: 'not today' });
  assert.deepEqual(await run((_i, ctx) => ctx.fail('bad', 4)), { status: 4, message: 'bad' });
  const foreign = Object.assign(new Error('from another copy'), { name: 'AgentError', status: 3 });
  assert.deepEqual(await run(() => { throw foreign; }), { status: 3, message: 'from another copy' });
});

test('a non-object result is status 5', async () => {
  assert.equal((await run(() => 'text')).status, 5);
  assert.match((await run(() => [1, 2])).message, /returned an array/);
  assert.match((await run(() => new Map())).message, /returned a Map; actions must return a plain object/);
  assert.match((await run(() => 42)).message, /returned a number/);
});

test('an action overrunning its timeout is status 1, its signal fires and its late result is discarded', async () => {
  let signal: AbortSignal | undefined;
  let finished = false;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const outcome = await dispatch(
    'sleep',
    async (_i, ctx) => {
      signal = ctx.signal;
      await gate; // runs until the test lets it end: the reply cannot have waited for it
      finished = true;
      return { slept: 99 };
    },
    {},
    base,
    { timeoutMs: 100 },
  );
  assert.deepEqual(outcome, { status: 1, message: "action 'sleep' exceeded its 0.1 s timeout" });
  assert.equal(finished, false, 'replied at the timeout, while the action still ran');
  assert.equal(signal?.aborted, true);
  release();
  await until('the action to end', () => finished, { timeoutMs: 5000, everyMs: 5 });
});

test('the timeout message uses whole seconds from the DDL', async () => {
  const outcome = await dispatch('sleep', (_i, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))), {}, base, { timeoutMs: 2000 });
  assert.equal(outcome.message, "action 'sleep' exceeded its 2 s timeout");
});

test('shutdown aborts a running action with status 1', async () => {
  const shutdown = new AbortController();
  const pending = run((_i, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ late: true }))), 10_000, shutdown.signal);
  shutdown.abort();
  const outcome = await pending;
  assert.equal(outcome.status, 1);
  assert.match(outcome.message, /shutting down/);
});

test("the context carries the action's deadline: its timeout from the start of the call", async () => {
  const before = Date.now();
  let deadline = 0;
  const outcome = await run((_input, ctx) => {
    deadline = ctx.deadline;
    return {};
  }, 5000);
  const after = Date.now();
  assert.equal(outcome.status, 0);
  assert.ok(deadline >= before + 5000 && deadline <= after + 5000, `deadline ${deadline} not within [${before + 5000}, ${after + 5000}]`);
});
