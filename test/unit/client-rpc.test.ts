// The client's discovery and RPC flow over an in-memory bus with scripted nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RpcutilActions } from '@cohort/agents';
import { Client, type Reply, type RpcCall, type RpcStats } from '@cohort/client';
import { FakeBus, type FakeNode } from './client-fakes.js';

const fast = { discoveryTimeout: 1, discoveryWindow: 0.05 };

async function clientFor(nodes: FakeNode[]): Promise<{ client: Client; bus: FakeBus }> {
  const bus = new FakeBus(nodes);
  const client = await Client.connect({ servers: [], bus, callerid: 'user=test', sender: 'tester', ...fast });
  return { client, bus };
}

async function run<D>(call: RpcCall<D>): Promise<{ replies: Array<Reply<D>>; stats: RpcStats }> {
  const replies: Array<Reply<D>> = [];
  for await (const r of call) replies.push(r);
  return { replies, stats: await call.stats() };
}

const three: FakeNode[] = [{ identity: 'n1' }, { identity: 'n2' }, { identity: 'n3', delay: 10 }];

test('discovery then a direct request to each node, one request id, reply subject subscribed first', async () => {
  const { client, bus } = await clientFor(three);
  const { replies, stats } = await run(client.rpc({ agent: 'rpcutil', action: 'ping', timeout: 1 }));
  assert.deepEqual(replies.map((r) => r.sender).sort(), ['n1', 'n2', 'n3']);
  assert.ok(replies.every((r) => !r.unexpected && r.statuscode === 0 && typeof r.data['pong'] === 'number'));
  assert.equal(stats.discovered, 3);
  assert.equal(stats.responded, 3);
  assert.equal(stats.ok, 3);
  assert.equal(stats.failed, 0);
  assert.deepEqual(stats.no_response, []);
  assert.match(stats.requestid, /^[0-9a-f]{32}$/);
  const [discovery, ...direct] = bus.published;
  assert.equal(discovery!.subject, 'cohort.broadcast.agent.rpcutil');
  assert.deepEqual(discovery!.request.filter.agent, ['rpcutil'], 'the target agent is added to the discovery filter');
  assert.deepEqual(direct.map((p) => p.subject).sort(), ['cohort.node.n1', 'cohort.node.n2', 'cohort.node.n3']);
  assert.ok(direct.every((p) => p.request.id === stats.requestid));
  assert.notEqual(discovery!.request.id, stats.requestid);
  assert.ok(bus.published.every((p) => p.replySubscribed), 'every request was published after its reply subscription');
  assert.equal(direct[0]!.request.callerid, 'user=test');
  assert.equal(direct[0]!.request.sender, 'tester');
  assert.equal(direct[0]!.request.ttl, 60);
  assert.equal(bus.subscriptions(), 0, 'reply subscriptions are removed at the end');
  await client.close();
});

test('discovery ends after the quiet window, long before the timeout', async () => {
  const { client } = await clientFor(three);
  const started = Date.now();
  const ids = await client.discover({}, { timeout: 5, window: 0.05 });
  assert.deepEqual([...ids].sort(), ['n1', 'n2', 'n3']);
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
});

test('discovery with a filter only finds matching nodes', async () => {
  const { client } = await clientFor([{ identity: 'a', agents: ['rpcutil', 'echo'] }, { identity: 'b' }]);
  assert.deepEqual(await client.discover({ agent: ['echo'] }), ['a']);
  assert.deepEqual(await client.discover({ identity: ['nobody'] }, { timeout: 0.2 }), []);
});

test('plain identity filters and explicit node lists skip discovery', async () => {
  const { client, bus } = await clientFor(three);
  const a = await run(client.rpc({ agent: 'rpcutil', action: 'ping', filter: { identity: ['n1', 'n2'] }, timeout: 1 }));
  assert.deepEqual(a.replies.map((r) => r.sender).sort(), ['n1', 'n2']);
  assert.equal(a.stats.discovery_ms, 0);
  const b = await run(client.rpc({ agent: 'rpcutil', action: 'ping', nodes: ['n3', 'n3', 'n2'], timeout: 1 }));
  assert.deepEqual(b.replies.map((r) => r.sender).sort(), ['n2', 'n3']);
  assert.equal(b.stats.discovered, 2, 'duplicates are addressed once');
  assert.ok(bus.published.every((p) => p.subject.startsWith('cohort.node.')), 'no broadcast was sent');
});

test('each directly addressed node gets a request naming only itself as target', async () => {
  const { client, bus } = await clientFor(three);
  const { stats } = await run(client.rpc({ agent: 'rpcutil', action: 'ping', nodes: ['n1', 'n2', 'n3', 'n2'], timeout: 1 }));
  assert.equal(stats.responded, 3);
  const direct = bus.published.filter((p) => p.subject.startsWith('cohort.node.'));
  assert.deepEqual(direct.map((p) => [p.subject, p.request.targets]), [
    ['cohort.node.n1', ['n1']],
    ['cohort.node.n2', ['n2']],
    ['cohort.node.n3', ['n3']],
  ]);
  assert.equal(new Set(direct.map((p) => p.request.id)).size, 1, 'one request id for all');
  await client.close();
});

test('silent nodes are listed as not responding once the timeout passes', async () => {
  const { client } = await clientFor([{ identity: 'n1' }, { identity: 'n2', silent: true }]);
  const started = Date.now();
  const { replies, stats } = await run(client.rpc({ agent: 'rpcutil', action: 'ping', timeout: 0.3 }));
  assert.deepEqual(replies.map((r) => r.sender), ['n1']);
  assert.equal(stats.discovered, 2);
  assert.equal(stats.responded, 1);
  assert.deepEqual(stats.no_response, ['n2']);
  assert.ok(Date.now() - started >= 300);
});

test('failed replies are counted; replies from others are yielded, marked and listed', async () => {
  const { client } = await clientFor([{ identity: 'n1', status: 1 }, { identity: 'n2', alsoAs: 'ghost' }]);
  const { replies, stats } = await run(client.rpc({ agent: 'rpcutil', action: 'ping', timeout: 0.5 }));
  assert.equal(stats.ok, 1);
  assert.equal(stats.failed, 1);
  assert.equal(stats.responded, 2);
  assert.deepEqual(stats.unexpected, ['ghost']);
  const ghost = replies.find((r) => r.sender === 'ghost');
  assert.ok(ghost?.unexpected);
  assert.equal(replies.find((r) => r.sender === 'n1')?.statuscode, 1);
});

test('--limit N without a seed takes the first N and stops discovering', async () => {
  const nodes = Array.from({ length: 6 }, (_, i) => ({ identity: `n${i}`, delay: 1 + i * 5 }));
  const { client, bus } = await clientFor(nodes);
  const { stats } = await run(client.rpc({ agent: 'rpcutil', action: 'ping', limit: 2, timeout: 1 }));
  assert.equal(stats.discovered, 2);
  assert.equal(stats.responded, 2);
  assert.deepEqual(bus.published.filter((p) => p.subject.startsWith('cohort.node.')).map((p) => p.subject), ['cohort.node.n0', 'cohort.node.n1']);
});

test('--limit N% and --limit with a seed pick from the full discovered set', async () => {
  const nodes = Array.from({ length: 10 }, (_, i) => ({ identity: `n${i}`, delay: 1 + ((i * 7) % 10) }));
  const { client } = await clientFor(nodes);
  const pct = await run(client.rpc({ agent: 'rpcutil', action: 'ping', limit: '25%', timeout: 1 }));
  assert.equal(pct.stats.discovered, 3, '25% of 10 rounds up to 3');
  const picks = async () => (await run(client.rpc({ agent: 'rpcutil', action: 'ping', limit: 4, limitSeed: 9, timeout: 1 }))).replies.map((r) => r.sender).sort();
  const first = await picks();
  assert.equal(first.length, 4);
  assert.deepEqual(await picks(), first);
});

test('--batch sends groups in turn with a sleep in between', async () => {
  const nodes = Array.from({ length: 5 }, (_, i) => ({ identity: `n${i}` }));
  const { client, bus } = await clientFor(nodes);
  const { stats } = await run(client.rpc({ agent: 'rpcutil', action: 'ping', batch: 2, batchSleep: 0.2, timeout: 1 }));
  assert.equal(stats.responded, 5);
  const sends = bus.published.filter((p) => p.subject.startsWith('cohort.node.'));
  assert.equal(sends.length, 5);
  const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
  assert.equal(gaps.filter((g) => g >= 190).length, 2, `three batches, two sleeps: gaps ${gaps.join(',')}`);
  assert.ok(sends[2]!.request.time >= sends[0]!.request.time + 190, 'each batch gets a fresh request time');
});

test('invalid input is refused before anything is sent', async () => {
  const { client, bus } = await clientFor(three);
  assert.throws(() => client.rpc({ agent: 'rpcutil', action: 'get_fact', data: {} }), (e: Error & { code?: string }) => e.code === 'MISSING_INPUT');
  assert.throws(() => client.rpc({ agent: 'rpcutil', action: 'nope' }), /get_fact/);
  assert.throws(() => client.rpc({ agent: 'nosuchagent', action: 'x' }), /nosuchagent/);
  assert.throws(() => client.rpc({ agent: 'rpcutil', action: 'ping', limit: '0' }), /limit/);
  assert.equal(bus.published.length, 0);
});

test('the typed agent proxy calls actions with typed replies', async () => {
  const { client, bus } = await clientFor([{ identity: 'n1' }]);
  const rpcutil = client.agent<RpcutilActions>('rpcutil');
  const { replies } = await run(rpcutil.ping(undefined, { timeout: 1 }));
  const pong: number = replies[0]!.data.pong;
  assert.equal(typeof pong, 'number');
  const call = rpcutil.get_fact({ fact: 'os.family' }, { nodes: ['n1'], timeout: 1 });
  await run(call);
  assert.deepEqual(bus.published.at(-1)!.request.data, { fact: 'os.family' });
  assert.equal(await Promise.resolve(rpcutil).then(() => 'not a thenable'), 'not a thenable');
});

test('cancel() ends a call early and a closed client refuses new calls', async () => {
  const { client } = await clientFor([{ identity: 'n1', silent: true }]);
  const call = client.rpc({ agent: 'rpcutil', action: 'ping', nodes: ['n1'], timeout: 30 });
  setTimeout(() => call.cancel(), 50);
  const { stats } = await run(call);
  assert.deepEqual(stats.no_response, ['n1']);
  assert.ok(stats.total_ms < 5000);
  await client.close();
  assert.throws(() => client.rpc({ agent: 'rpcutil', action: 'ping' }), /closed/);
});

test('a bus failure surfaces from iteration and stats()', async () => {
  const { client, bus } = await clientFor(three);
  bus.closed = true;
  const call = client.rpc({ agent: 'rpcutil', action: 'ping', nodes: ['n1'], timeout: 1 });
  await assert.rejects(run(call), /bus closed/);
  await assert.rejects(call.stats(), /bus closed/);
});

test('cancelling while discovering stops discovery too', async () => {
  const { client, bus } = await clientFor([]);
  const started = Date.now();
  const call = client.rpc({ agent: 'rpcutil', action: 'ping', discoveryTimeout: 5, discoveryWindow: 0 });
  setTimeout(() => call.cancel(), 50);
  const { stats } = await run(call);
  assert.equal(stats.discovered, 0);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(bus.subscriptions(), 0, 'discovery subscription removed');
  assert.ok(Date.now() - started < 2000);
});
