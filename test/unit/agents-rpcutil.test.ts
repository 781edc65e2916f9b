import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError, rpcutil, type ActionContext, type NodeInfo } from '@cohort/agents';
import { silentLogger } from '@cohort/core/log';
import { version, type DdlMetadata, type Facts } from '@cohort/core';

const meta = (name: string): DdlMetadata => ({
  name,
  description: `${name} agent`,
  author: 'someone',
  license: 'Apache-2.0',
  version: '1.2.3',
  url: 'https://example.com',
  timeout: 7,
});

const facts: Facts = { os: { family: 'debian', release: { major: 12 } }, role: 'web', 'dotted.key': 'literal', nics: [{ name: 'eth0' }] };

function fakeNode(overrides: Partial<NodeInfo> = {}): NodeInfo {
  return {
    identity: 'web1',
    collectives: ['cohort', 'dc1'],
    configFile: '/etc/cohort/server.yaml',
    startTime: 1_700_000_000,
    facts: () => facts,
    classes: () => ['base', 'web'],
    agents: () => [{ name: 'echo', metadata: meta('echo') }, { name: 'rpcutil', metadata: meta('rpcutil') }],
    unloadedAgents: () => [{ name: 'nrpe', source: '/x/nrpe.js', reason: 'nrpe is not installed' }],
    configItem: (key) => (key === 'nats.servers' ? { found: true, value: ['nats://a:4222'] } : { found: false }),
    section: () => assert.fail('rpcutil reads no agent config section'),
    stats: () => ({ total: 10, validated: 9, unvalidated: 1, passed: 7, filtered: 2, replies: 7, ttlexpired: 0, events: 0, dropped: { invalid: 1, filtered: 2 } }),
    dataSources: ['fstat', 'fact'],
    data: (source, query) => (source === 'fact' ? { exists: true, value: query } : undefined),
    ...overrides,
  };
}

function ctx(node: NodeInfo = fakeNode()): ActionContext {
  return {
    signal: new AbortController().signal,
    deadline: Date.now() + 10_000,
    log: silentLogger(),
    request: { id: 'a'.repeat(32), callerid: 'user=t', sender: 'cli', agent: 'rpcutil', action: 'x', collective: 'cohort' },
    node,
    fail: (message, status = 1) => {
      throw new AgentError(message, status);
    },
  };
}

async function call(action: string, input: Record<string, unknown> = {}, node?: NodeInfo): Promise<Record<string, unknown>> {
  const handler = rpcutil.actions[action];
  assert.ok(handler, `rpcutil has ${action}`);
  return (await handler(input, ctx(node))) as Record<string, unknown>;
}

test('rpcutil implements exactly the actions of its DDL', async () => {
  const { loadDdlFile, builtinDdlDir } = await import('@cohort/core');
  const ddl = loadDdlFile(`${builtinDdlDir()}/rpcutil.json`);
  assert.deepEqual(Object.keys(rpcutil.actions).sort(), ddl.actions.map((a) => a.action).sort());
});

test('ping answers the current unix time in seconds', async () => {
  const before = Math.floor(Date.now() / 1000);
  const { pong } = await call('ping');
  assert.equal(typeof pong, 'number');
  assert.ok((pong as number) >= before && (pong as number) <= Math.ceil(Date.now() / 1000));
});

test('collective_info and inventory describe the node', async () => {
  assert.deepEqual(await call('collective_info'), { main_collective: 'cohort', collectives: ['cohort', 'dc1'] });
  const inv = await call('inventory');
  assert.deepEqual(inv['agents'], ['echo', 'rpcutil']);
  assert.deepEqual(inv['facts'], facts);
  assert.deepEqual(inv['classes'], ['base', 'web']);
  assert.equal(inv['version'], version);
  assert.equal(inv['main_collective'], 'cohort');
  assert.deepEqual(inv['data_plugins'], ['fstat', 'fact']);
});

test('agent_inventory lists each agent with its DDL metadata', async () => {
  const { agents } = await call('agent_inventory');
  assert.deepEqual((agents as unknown[])[0], {
    agent: 'echo',
    name: 'echo',
    version: '1.2.3',
    timeout: 7,
    license: 'Apache-2.0',
    author: 'someone',
    url: 'https://example.com',
    description: 'echo agent',
  });
  assert.equal((agents as unknown[]).length, 2);
});

test('get_fact walks dotted paths into nested facts; missing is null', async () => {
  assert.deepEqual(await call('get_fact', { fact: 'os.family' }), { fact: 'os.family', value: 'debian' });
  assert.deepEqual(await call('get_fact', { fact: 'os.release.major' }), { fact: 'os.release.major', value: 12 });
  assert.deepEqual(await call('get_fact', { fact: 'nics.0.name' }), { fact: 'nics.0.name', value: 'eth0' });
  assert.deepEqual(await call('get_fact', { fact: 'dotted.key' }), { fact: 'dotted.key', value: 'literal' });
  assert.deepEqual(await call('get_fact', { fact: 'os' }), { fact: 'os', value: facts['os'] });
  assert.deepEqual(await call('get_fact', { fact: 'no.such' }), { fact: 'no.such', value: null });
  assert.deepEqual(await call('get_fact', { fact: 'role.length' }), { fact: 'role.length', value: null });
});

test('get_facts takes a comma or space separated list', async () => {
  assert.deepEqual(await call('get_facts', { facts: 'role, os.family  missing,nics.0.name' }), {
    values: { role: 'web', 'os.family': 'debian', missing: null, 'nics.0.name': 'eth0' },
  });
});

test('get_config_item returns a dotted key, and fails with status 1 for an unknown one', async () => {
  assert.deepEqual(await call('get_config_item', { item: 'nats.servers' }), { item: 'nats.servers', value: ['nats://a:4222'] });
  await assert.rejects(call('get_config_item', { item: 'nope' }), (err: unknown) => err instanceof AgentError && err.status === 1 && /nope/.test(err.message));
});

test('get_data runs a data source; an unknown source fails naming the known ones', async () => {
  assert.deepEqual(await call('get_data', { source: 'fact', query: 'os.family' }), { exists: true, value: 'os.family' });
  await assert.rejects(call('get_data', { source: 'bogus', query: 'x' }), (err: unknown) => err instanceof AgentError && /bogus.*fstat, fact/.test(err.message));
});

test('daemon_stats reports the real counters plus process details', async () => {
  const s = await call('daemon_stats');
  assert.equal(s['total'], 10);
  assert.equal(s['validated'], 9);
  assert.equal(s['unvalidated'], 1);
  assert.equal(s['passed'], 7);
  assert.equal(s['filtered'], 2);
  assert.equal(s['replies'], 7);
  assert.equal(s['ttlexpired'], 0);
  assert.deepEqual(s['dropped'], { invalid: 1, filtered: 2 });
  assert.deepEqual(s['unloaded_agents'], { nrpe: 'nrpe is not installed' });
  assert.equal(s['pid'], process.pid);
  assert.equal(s['starttime'], 1_700_000_000);
  assert.equal(s['configfile'], '/etc/cohort/server.yaml');
  assert.equal(s['version'], version);
  assert.deepEqual(s['agents'], ['echo', 'rpcutil']);
  assert.deepEqual(s['threads'], []);
  const times = s['times'] as { user: number; system: number };
  assert.ok(times.user > 0 && times.system >= 0);
});
