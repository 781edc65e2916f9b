import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError, type ActionHandler, type NodeInfo } from '@cohort/agents';
import {
  decodeReply,
  encode,
  InputError,
  validateInputs,
  type Ddl,
  type ReplyMessage,
  type RequestMessage,
} from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, Processor, Stats, type Arrival, type ProcessorDeps } from '@cohort/server';
import { testRequest } from '../harness/messages.js';

const direct: Arrival = { collective: 'cohort', agent: undefined };

function request(fields: Partial<RequestMessage> = {}): RequestMessage {
  return testRequest({ agent: 'test', action: 'ok', ...fields });
}

function ddlFor(actions: string[], timeout = 1): Ddl {
  return {
    metadata: { name: 'test', description: 'test agent', author: 'a', license: 'l', version: '1.0.0', url: 'u', timeout },
    actions: actions.map((action) => ({
      action,
      description: action,
      input: { n: { prompt: 'n', description: 'a number', type: 'integer', optional: true } },
      output: { result: { description: 'r', display_as: 'R', default: 'none' }, extra: { description: 'e', display_as: 'E' } },
    })),
  };
}

function setup(actions: Record<string, ActionHandler>, overrides: Partial<ProcessorDeps> = {}) {
  const registry = new AgentRegistry();
  registry.add({ name: 'test', actions }, ddlFor(Object.keys(actions)), 'test', silentLogger());
  const stats = new Stats();
  const published: Array<{ subject: string; reply: ReplyMessage }> = [];
  const processor = new Processor({
    identity: 'web1',
    maxBytes: 64 * 1024,
    agents: registry,
    view: () => ({ identity: 'web1', facts: {}, classes: [], agents: ['test'] }),
    node: {} as NodeInfo,
    stats,
    publish: (subject, bytes) => published.push({ subject, reply: decodeReply(bytes) }),
    log: silentLogger(),
    maxConcurrency: 4,
    match: () => true,
    validate: (_action, data) => data,
    ...overrides,
  });
  const send = async (req: RequestMessage, arrival: Arrival = direct) => {
    await processor.handle(encode(req), arrival);
    return published.find((p) => p.reply.request_id === req.id)?.reply;
  };
  return { processor, stats, published, send };
}

test('a good request gets one reply on its reply subject, data over DDL output defaults', async () => {
  const { send, published, stats } = setup({ ok: (input) => ({ result: `n=${String(input['n'])}` }) });
  const req = request({ data: { n: 3 } });
  const reply = await send(req);
  assert.equal(published.length, 1);
  assert.equal(published[0]?.subject, req.reply_to);
  assert.equal(reply?.statuscode, 0);
  assert.equal(reply?.statusmsg, 'OK');
  assert.equal(reply?.sender, 'web1');
  assert.deepEqual(reply?.data, { result: 'n=3', extra: null });
  assert.deepEqual({ ...stats.snapshot(), dropped: undefined }, { total: 1, validated: 1, unvalidated: 0, passed: 1, filtered: 0, replies: 1, ttlexpired: 0, events: 0, dropped: undefined });
});

test('bad messages are counted and dropped without a reply, and the loop keeps going', async () => {
  const { processor, stats, published, send } = setup({ ok: () => ({}) });
  await processor.handle(new TextEncoder().encode('garbage'), direct);
  await processor.handle(new Uint8Array([0xff]), direct);
  await send(request({ time: Date.now() - 3_600_000 }));
  await send(request({ collective: 'other' }));
  await send(request(), { collective: 'cohort', agent: 'rpcutil' });
  assert.equal(published.length, 0);
  const reply = await send(request());
  assert.equal(reply?.statuscode, 0);
  const s = stats.snapshot();
  assert.equal(s.total, 6);
  assert.equal(s.unvalidated, 2);
  assert.equal(s.validated, 4);
  assert.equal(s.ttlexpired, 1);
  assert.equal(s.passed, 1);
  assert.equal(s.replies, 1);
  assert.deepEqual(s.dropped, { invalid: 2, ttl_expired: 1, filtered: 0, misrouted: 2, reply_failed: 0 });
});

test('a request whose filter does not match is silently dropped and counted as filtered', async () => {
  let matched = true;
  const { send, stats } = setup({ ok: () => ({}) }, { match: () => matched });
  matched = false;
  assert.equal(await send(request()), undefined);
  matched = true;
  assert.ok(await send(request()));
  assert.equal(stats.filtered, 1);
  assert.equal(stats.passed, 1);
  assert.equal(stats.dropped.filtered, 1);
});

test('unknown agent and unknown action get status 2 replies', async () => {
  const { send } = setup({ ok: () => ({}) });
  const agent = await send(request({ agent: 'nosuch' }));
  assert.equal(agent?.statuscode, 2);
  assert.equal(agent?.statusmsg, "Unknown agent 'nosuch' on node web1");
  const action = await send(request({ action: 'nope' }));
  assert.equal(action?.statuscode, 2);
  assert.match(action?.statusmsg ?? '', /Unknown action 'nope' for agent 'test'; valid actions: ok/);
});

test('input validation failures reply 3/4 with the message and the output defaults', async () => {
  const { send } = setup(
    { ok: () => ({}) },
    {
      validate: (_a, data) => {
        if (!('n' in data)) throw new InputError('n', 3, "missing required input 'n'");
        if (typeof data['n'] !== 'number') throw new InputError('n', 4, "input 'n' must be an integer");
        return data;
      },
    },
  );
  const missing = await send(request());
  assert.equal(missing?.statuscode, 3);
  assert.equal(missing?.statusmsg, "missing required input 'n'");
  assert.deepEqual(missing?.data, { result: 'none', extra: null });
  const invalid = await send(request({ data: { n: 'x' } }));
  assert.equal(invalid?.statuscode, 4);
});

test('the real DDL validator is used by default', async () => {
  const { send } = setup({ ok: () => ({}) }, { validate: validateInputs });
  assert.equal((await send(request({ data: { n: 'seven' } })))?.statuscode, 4);
  assert.equal((await send(request({ data: { n: 7 } })))?.statuscode, 0);
});

test('action failures become status codes: throw 5, AgentError its own, unserialisable 5, timeout 1', async () => {
  const { send, stats } = setup({
    boom: () => {
      throw new Error('disk on fire');
    },
    abort: () => {
      throw new AgentError('not allowed', 1);
    },
    bigint: () => ({ result: 10n }),
    slow: (_i, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ result: 'late' }))),
  });
  const boom = await send(request({ action: 'boom' }));
  assert.equal(boom?.statuscode, 5);
  assert.equal(boom?.statusmsg, 'Unknown error: disk on fire');
  const abort = await send(request({ action: 'abort' }));
  assert.deepEqual([abort?.statuscode, abort?.statusmsg], [1, 'not allowed']);
  const bigint = await send(request({ action: 'bigint' }));
  assert.equal(bigint?.statuscode, 5);
  assert.deepEqual(bigint?.data, { result: 'none', extra: null });
  const slow = await send(request({ action: 'slow' }));
  assert.equal(slow?.statuscode, 1);
  assert.equal(slow?.statusmsg, "action 'slow' exceeded its 1 s timeout");
  assert.deepEqual(slow?.data, { result: 'none', extra: null }, 'the late result is discarded');
  assert.equal(stats.replies, 4);
});

test('concurrency is bounded by maxConcurrency; excess requests wait and still get replies', async () => {
  let running = 0;
  let peak = 0;
  const gates: Array<() => void> = [];
  const { processor, published } = setup(
    {
      ok: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return {};
      },
    },
    { maxConcurrency: 2 },
  );
  const all = Array.from({ length: 5 }, () => processor.handle(encode(request()), direct));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(running, 2);
  assert.equal(processor.inFlight, 5);
  while (published.length < 5) {
    gates.shift()?.();
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(all);
  assert.equal(peak, 2);
  assert.equal(processor.inFlight, 0);
});

test('a synchronous action with a free slot is answered before handle() returns; behind a busy slot it waits its turn', async () => {
  let release: (() => void) | undefined;
  const { processor, published } = setup(
    {
      ok: () => ({ result: 'sync' }),
      slow: () => new Promise<Record<string, unknown>>((resolve) => (release = () => resolve({ result: 'slow' }))),
    },
    { maxConcurrency: 1 },
  );
  const first = request();
  const served = processor.handle(encode(first), direct);
  // Served in the same turn: the reply is out and nothing stays in flight.
  assert.equal(published.length, 1);
  assert.equal(published[0]?.reply.request_id, first.id);
  assert.equal(processor.inFlight, 0);
  await served;
  // The only slot held by an asynchronous action: a synchronous one queues and is answered after it.
  const slow = processor.handle(encode(request({ action: 'slow' })), direct);
  const queued = request();
  const waiting = processor.handle(encode(queued), direct);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(published.length, 1);
  assert.equal(processor.inFlight, 2);
  release?.();
  await Promise.all([slow, waiting]);
  assert.deepEqual(
    published.slice(1).map((p) => p.reply.data['result']),
    ['slow', 'sync'],
  );
  assert.equal(processor.inFlight, 0);
});

test('a reply that cannot be published is counted, not thrown', async () => {
  const { send, stats } = setup(
    { ok: () => ({}) },
    {
      publish: () => {
        throw new Error('connection closed');
      },
    },
  );
  assert.equal(await send(request()), undefined);
  assert.equal(stats.replies, 0);
  assert.equal(stats.dropped.reply_failed, 1);
});

test('whenIdle waits for in-flight work; abortAll ends it with status 1', async () => {
  const { processor, published } = setup({ ok: (_i, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({}))) });
  void processor.handle(encode(request()), direct);
  assert.equal(await processor.whenIdle(50), false);
  processor.abortAll();
  assert.equal(await processor.whenIdle(1000), true);
  assert.equal(published[0]?.reply.statuscode, 1);
  assert.match(published[0]?.reply.statusmsg ?? '', /shutting down/);
});
