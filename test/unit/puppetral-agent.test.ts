// The puppetral agent's actions against a fake helper (same line protocol,
// no Puppet): guard rails, status codes for each kind of failure, output
// shaping, activation, dispose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentError, createPuppetral, type ActionContext, type NodeInfo } from '@cohort/agents';
import { fakeHelperScript, memoryLog, puppetralNode } from './puppetral-fakes.js';
import { actionContext, callAction } from './node-fakes.js';

const node = puppetralNode({ ruby: process.execPath, puppet: process.execPath, manage: ['host', 'failed', 'invalid', 'internal'], read_only: ['group'] });
const agent = createPuppetral({ script: fakeHelperScript() });

function ctx(n: NodeInfo = node): ActionContext {
  return actionContext(n, { log: memoryLog(), agent: 'puppetral' });
}

/** Call an action as the daemon does: inputs validated and defaulted by ddl/puppetral.json. */
async function call(action: string, input: Record<string, unknown>): Promise<unknown> {
  return callAction(agent.actions[action], 'puppetral', action, input, ctx());
}

async function status(action: string, input: Record<string, unknown>): Promise<[number, string]> {
  const err = await call(action, input).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof AgentError, `expected ${action} to fail, got ${String(err)}`);
  return [err.status, err.message];
}

test('activation: loads when puppet and its Ruby exist, else says Puppet is not installed', async () => {
  const log = memoryLog();
  assert.equal(await agent.activate?.({ node, log }), true);
  const missing = puppetralNode({ puppet: '/nonexistent/puppet' });
  assert.match(String(await agent.activate?.({ node: missing, log })), /Puppet is not installed/);
});

test('do, create, find and search give their DDL outputs', async () => {
  const done = (await call('do', { type: 'host', title: 'web', noop: false, parameters: { ip: '10.0.0.1' } })) as Record<string, unknown>;
  assert.equal(done['status'], 'changed');
  assert.deepEqual(done['changes'], ['ensure: created']);
  assert.deepEqual(done['parameters'], { name: 'web', ensure: 'present', ip: '10.0.0.1' });
  const dry = (await call('create', { type: 'host', title: 'web', noop: true, parameters: {} })) as Record<string, unknown>;
  assert.equal(dry['status'], 'noop');
  const found = (await call('find', { type: 'group', parameters: { name: 'wheel' } })) as Record<string, unknown>;
  assert.equal(found['ensure'], 'present');
  assert.equal((found['parameters'] as Record<string, unknown>)['name'], 'wheel');
  const listed = (await call('search', { type: 'host', parameters: {} })) as Record<string, unknown>;
  assert.equal(listed['count'], 2);
});

test('guard rails refuse with status 1 before Puppet is asked', async () => {
  assert.deepEqual(await status('do', { type: 'user', title: 'rip', parameters: {} }), [1, "puppetral may not change 'user' resources on this node: add 'user' to puppetral.manage in its cohortd config"]);
  const [code, message] = await status('do', { type: 'group', title: 'wheel', parameters: {} });
  assert.equal(code, 1);
  assert.match(message, /may only read 'group'.*puppetral\.read_only/);
  assert.match((await status('search', { type: 'exec', parameters: {} }))[1], /may not read 'exec'/);
});

test("a missing title is status 3; Puppet's refusals are 4, failed applies 1, helper trouble 5", async () => {
  assert.deepEqual((await status('find', { type: 'host', parameters: {} }))[0], 3);
  assert.deepEqual(await status('do', { type: 'invalid', title: 'x', parameters: {} }), [4, 'fake invalid error']);
  assert.deepEqual(await status('do', { type: 'failed', title: 'x', parameters: {} }), [1, 'fake failed error']);
  assert.deepEqual(await status('do', { type: 'internal', title: 'x', parameters: {} }), [5, 'fake internal error']);
});

test('dispose stops the helper; the next call starts a new one', async () => {
  await call('find', { type: 'host', title: 'a', parameters: {} });
  await agent.dispose?.();
  const found = (await call('find', { type: 'host', title: 'b', parameters: {} })) as Record<string, unknown>;
  assert.equal(found['ensure'], 'present');
  await agent.dispose?.();
});
