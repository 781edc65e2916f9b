import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { findAction, loadDdlFile, type DdlAction } from '@cohort/core';
import { defaultAggregators, summarize } from '../../packages/client/src/aggregate/index.ts';

const fixtures = fileURLToPath(new URL('../fixtures/ddl/', import.meta.url));

function action(agent: string, name: string, file = `choria/${agent}.json`): DdlAction {
  const found = findAction(loadDdlFile(`${fixtures}${file}`), name);
  assert.ok(found, `${agent}#${name}`);
  return found;
}

test('one summary per DDL aggregate entry, in DDL order', () => {
  const stats = action('rpcutil', 'daemon_stats');
  const replies = [
    { statuscode: 0, data: { version: '1.0', agents: ['rpcutil', 'nrpe'] } },
    { statuscode: 0, data: { version: '1.1', agents: ['rpcutil'] } },
    { statuscode: 0, data: { version: '1.0', agents: ['rpcutil'] } },
  ];
  const [version, agents, ...rest] = summarize(stats, replies);
  assert.equal(rest.length, 0);
  assert.equal(version?.display_as, 'Version');
  assert.deepEqual(version?.counts, [['1.0', 2], ['1.1', 1]]);
  assert.equal(agents?.output, 'agents');
  assert.deepEqual(agents?.counts, [['rpcutil', 3], ['nrpe', 1]]);
});

test('only replies whose action ran (status 0 or 1) and that have the output are counted', () => {
  const info = action('rpcutil', 'collective_info');
  const replies = [
    { statuscode: 0, data: { collectives: ['a', 'b'] } },
    { statuscode: 1, data: { collectives: ['a'] } },
    { statuscode: 2, data: { collectives: ['unknown_action'] } },
    { statuscode: 3, data: { collectives: ['missing'] } },
    { statuscode: 4, data: { collectives: ['invalid'] } },
    { statuscode: 5, data: { collectives: ['error'] } },
    { statuscode: 0, data: { main_collective: 'a' } },
    { statuscode: 0, data: null as unknown as Record<string, unknown> },
  ];
  const [summary] = summarize(info, replies);
  assert.deepEqual(summary?.counts, [['a', 2], ['b', 1]]);
});

test('works over any iterable, e.g. a generator', () => {
  const info = action('rpcutil', 'collective_info');
  function* replies(): Generator<{ statuscode: number; data: Record<string, unknown> }> {
    for (let i = 0; i < 4; i++) yield { statuscode: 0, data: { collectives: [`c${i % 2}`] } };
  }
  assert.deepEqual(summarize(info, replies())[0]?.counts, [['c0', 2], ['c1', 2]]);
});

test('Choria formats and YAML DDL aggregates render', () => {
  const goss = action('scout', 'goss_validate');
  const texts = summarize(goss, [
    { statuscode: 0, data: { tests: 10, failures: 0, success: 10 } },
    { statuscode: 1, data: { tests: 10, failures: 2, success: 8 } },
  ]).map((s) => s.text);
  assert.deepEqual(texts, [
    ['10 Tests on 2 node(s)'],
    ['0 Failed test on 1 node(s)', '2 Failed test on 1 node(s)'],
    ['10 Passed tests on 1 node(s)', '8 Passed tests on 1 node(s)'],
  ]);
  const greet = action('greeter', 'greet', 'greeter.yaml');
  const [greeting, length] = summarize(greet, [
    { statuscode: 0, data: { greeting: 'hi', length: 2 } },
    { statuscode: 0, data: { greeting: 'hello', length: 5 } },
  ]);
  assert.deepEqual(greeting?.text, ['   hello = 1', '      hi = 1']);
  assert.deepEqual(length?.text, ['3.5 characters']);
});

test('unregistered functions are left out; a registry can supply them', () => {
  const run = { ...action('nrpe', 'runcommand'), aggregate: [{ function: 'custom_states', args: ['exitcode'] }] };
  const replies = [
    { statuscode: 0, data: { exitcode: 0 } },
    { statuscode: 1, data: { exitcode: 2 } },
  ];
  assert.deepEqual(summarize(run, replies), []);
  const registry = defaultAggregators();
  registry.register('custom_states', (call, act) => registry.create({ ...call, function: 'summary' }, act));
  assert.deepEqual(summarize(run, replies, registry)[0]?.counts, [['0', 1], ['2', 1]]);
});

test('an action without aggregates gives no summaries', () => {
  assert.deepEqual(summarize(action('rpcutil', 'ping'), [{ statuscode: 0, data: { pong: 1 } }]), []);
});
