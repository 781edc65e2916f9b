import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentDefinitionError, AgentError, asAgent, defineAgent, fail, isAgentError } from '@cohort/agents';

type PingActions = {
  ping: { input: { n: number }; output: { pong: number; note: string } };
};

test('defineAgent returns the agent with its actions, frozen', async () => {
  const agent = defineAgent<PingActions>({ name: 'pinger', actions: { ping: ({ n }) => ({ pong: n + 1 }) }, activate: () => true });
  assert.equal(agent.name, 'pinger');
  assert.ok(Object.isFrozen(agent) && Object.isFrozen(agent.actions));
  assert.deepEqual(await agent.actions['ping']?.({ n: 1 }, {} as never), { pong: 2 });
  assert.equal(typeof agent.activate, 'function');
});

test('asAgent accepts a plain object and explains what is wrong with others', () => {
  assert.equal(asAgent({ name: 'plain', actions: { a: () => ({}) } }).name, 'plain');
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /default export is not an object/],
    [{ actions: {} }, /'name' must be/],
    [{ name: 'Bad-Name', actions: {} }, /'name' must be/],
    [{ name: 'x' }, /no 'actions' object/],
    [{ name: 'x', actions: { a: 1 } }, /action 'a' is not a function/],
    [{ name: 'x', actions: {}, activate: 'yes' }, /'activate' is not a function/],
  ];
  for (const [value, reason] of cases) assert.throws(() => asAgent(value), (err: unknown) => err instanceof AgentDefinitionError && reason.test(err.message));
});

test('fail throws an AgentError with status 1 by default', () => {
  assert.throws(() => fail('nope'), (err: unknown) => err instanceof AgentError && err.status === 1 && err.message === 'nope');
  assert.throws(() => fail('bad input', 4), (err: unknown) => err instanceof AgentError && err.status === 4);
});

test('isAgentError also recognises AgentErrors from another copy of the package', () => {
  assert.ok(isAgentError(new AgentError('x', 2)));
  const foreign = Object.assign(new Error('from a plugin'), { name: 'AgentError', status: 1 });
  assert.ok(isAgentError(foreign));
  assert.ok(!isAgentError(Object.assign(new Error('x'), { name: 'AgentError', status: 0 })));
  assert.ok(!isAgentError(Object.assign(new Error('x'), { status: 1 })));
  assert.ok(!isAgentError('AgentError'));
});
