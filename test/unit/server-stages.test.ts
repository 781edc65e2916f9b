import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, InputError, type DdlAction } from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, buildReply, decodeStage, Drop, encodeReply, filterStage, lookupStage, Refusal, routeStage, ttlStage, validateStage } from '@cohort/server';
import { testRequest } from '../harness/messages.js';

const request = testRequest;

const text = (s: string) => new TextEncoder().encode(s);

test('decode: a valid request passes, anything else is an invalid drop with a reason', () => {
  const req = request();
  assert.deepEqual(decodeStage(encode(req), 1 << 20), req);
  const cases: Array<[Uint8Array, RegExp, number?]> = [
    [text('not json'), /not valid JSON/],
    [new Uint8Array([0xff, 0xfe]), /UTF-8/],
    [text(JSON.stringify({ protocol: 'cohort:request:9' })), /unknown protocol/],
    [text(JSON.stringify({ ...req, ttl: 'soon' })), /ttl/],
    [encode(req), /exceeds the 100 byte limit/, 100],
  ];
  for (const [bytes, reason, limit] of cases) {
    const out = decodeStage(bytes, limit ?? 1 << 20);
    assert.ok(out instanceof Drop, `dropped: ${reason}`);
    assert.equal(out.reason, 'invalid');
    assert.match(out.detail, reason);
  }
});

test('ttl: accepted within +-ttl (clock skew both ways), dropped outside', () => {
  const now = 1_000_000_000;
  const at = (offsetMs: number) => request({ ttl: 60, time: now + offsetMs });
  assert.equal(ttlStage(at(0), now), undefined);
  assert.equal(ttlStage(at(-60_000), now), undefined);
  assert.equal(ttlStage(at(+5_000), now), undefined, 'slightly in the future is fine');
  assert.equal(ttlStage(at(+60_000), now), undefined);
  const old = ttlStage(at(-60_001), now);
  assert.ok(old instanceof Drop && old.reason === 'ttl_expired' && /old/.test(old.detail));
  const future = ttlStage(at(+3_600_000), now);
  assert.ok(future instanceof Drop && /future/.test(future.detail));
});

test('filter: a non-matching filter is a silent filtered drop', () => {
  const view = { identity: 'web1', facts: {}, classes: [], agents: ['rpcutil'] };
  const req = request();
  assert.equal(filterStage(req, view, () => true), undefined);
  const seen: unknown[] = [];
  const out = filterStage(req, view, (f, v) => {
    seen.push(f, v);
    return false;
  });
  assert.ok(out instanceof Drop && out.reason === 'filtered');
  assert.deepEqual(seen, [req.filter, view]);
});

test('route: collective and broadcast agent must match the subject', () => {
  assert.equal(routeStage(request(), { collective: 'cohort', agent: 'rpcutil' }), undefined);
  assert.equal(routeStage(request({ agent: 'echo' }), { collective: 'cohort', agent: undefined }), undefined);
  const wrongCollective = routeStage(request(), { collective: 'dc1', agent: undefined });
  assert.ok(wrongCollective instanceof Drop && wrongCollective.reason === 'misrouted');
  assert.ok(routeStage(request({ agent: 'echo' }), { collective: 'cohort', agent: 'rpcutil' }) instanceof Drop);
});

const pingAction: DdlAction = { action: 'ping', description: 'p', input: {}, output: { pong: { description: 'p', display_as: 'Pong', default: 0 } } };

function registry(): AgentRegistry {
  const r = new AgentRegistry();
  const ddl = { metadata: { name: 'rpcutil', description: 'd', author: 'a', license: 'l', version: '1', url: 'u', timeout: 2 }, actions: [pingAction, { ...pingAction, action: 'agent_inventory' }] };
  r.add({ name: 'rpcutil', actions: { ping: () => ({}), agent_inventory: () => ({}) } }, ddl, 'builtin', silentLogger());
  return r;
}

test('lookup: unknown agent and unknown action are status 2 with helpful messages', () => {
  const agents = registry();
  const found = lookupStage(request(), agents, 'web1');
  assert.ok(!(found instanceof Refusal));
  assert.equal(found.action.ddl.action, 'ping');
  assert.equal(found.agent.timeoutMs, 2000);
  const noAgent = lookupStage(request({ agent: 'nosuch' }), agents, 'web1');
  assert.ok(noAgent instanceof Refusal);
  assert.equal(noAgent.status, 2);
  assert.equal(noAgent.message, "Unknown agent 'nosuch' on node web1");
  const noAction = lookupStage(request({ action: 'frobnicate' }), agents, 'web1');
  assert.ok(noAction instanceof Refusal);
  assert.equal(noAction.status, 2);
  assert.equal(noAction.message, "Unknown action 'frobnicate' for agent 'rpcutil'; valid actions: agent_inventory, ping");
});

test('validate: InputError keeps its status 3/4 and message; other errors are 4', () => {
  assert.deepEqual(validateStage(pingAction, { a: 1 }, (_a, d) => ({ ...d, b: 2 })), { a: 1, b: 2 });
  const missing = validateStage(pingAction, {}, () => {
    throw new InputError('fact', 3, "missing required input 'fact'");
  });
  assert.ok(missing instanceof Refusal && missing.status === 3 && missing.message === "missing required input 'fact'");
  const invalid = validateStage(pingAction, {}, () => {
    throw new InputError('seconds', 4, "input 'seconds' must be a number");
  });
  assert.ok(invalid instanceof Refusal && invalid.status === 4 && /seconds/.test(invalid.message));
  const other = validateStage(pingAction, {}, () => {
    throw new Error('boom');
  });
  assert.ok(other instanceof Refusal && other.status === 4 && /boom/.test(other.message));
});

test('reply: data laid over output defaults; unserialisable or oversize data becomes status 5', () => {
  const req = request();
  const defaults = { pong: 0, other: null };
  const ok = buildReply(req, 'web1', 0, 'OK', defaults, { pong: 5 }, 123);
  assert.deepEqual(ok.data, { pong: 5, other: null });
  assert.equal(ok.request_id, req.id);
  assert.equal(ok.sender, 'web1');
  assert.deepEqual(encodeReply(ok, defaults, 1 << 20).reply, ok);

  const big = encodeReply(buildReply(req, 'web1', 0, 'OK', defaults, { pong: 1n }, 1), defaults, 1 << 20);
  assert.equal(big.reply.statuscode, 5);
  assert.match(big.reply.statusmsg, /^Unknown error: .*cannot be serialised.*BigInt/);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(big.bytes)).data, defaults);

  const loop: Record<string, unknown> = {};
  loop['self'] = loop;
  const circular = encodeReply(buildReply(req, 'web1', 0, 'OK', defaults, { loop }, 1), defaults, 1 << 20);
  assert.equal(circular.reply.statuscode, 5);
  assert.match(circular.reply.statusmsg, /circular/);

  const oversize = encodeReply(buildReply(req, 'web1', 0, 'OK', defaults, { blob: 'x'.repeat(5000) }, 1), defaults, 2048);
  assert.equal(oversize.reply.statuscode, 5);
  assert.match(oversize.reply.statusmsg, /exceeds the 2048 byte limit/);
  assert.ok(oversize.bytes.byteLength < 2048);
});
