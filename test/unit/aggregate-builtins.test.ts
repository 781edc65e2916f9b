import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DdlAction, DdlAggregate } from '@cohort/core';
import {
  AggregatorError,
  AggregatorRegistry,
  defaultAggregators,
  type AggregateSummary,
  type Aggregator,
} from '../../packages/client/src/aggregate/index.ts';

const action: DdlAction = {
  action: 'info',
  description: 'Info',
  input: {},
  output: {
    version: { description: 'Version', display_as: 'Version', type: 'string' },
    agents: { description: 'Agents', display_as: 'Agents', type: 'array' },
    enabled: { description: 'Enabled', display_as: 'Enabled', type: 'boolean' },
    load: { description: 'Load', display_as: 'Load Average', type: 'float' },
    meta: { description: 'Meta', display_as: 'Meta', type: 'hash' },
  },
};

function run(fn: string, args: DdlAggregate['args'], values: unknown[], registry = defaultAggregators()): AggregateSummary {
  const agg = registry.create({ function: fn, args }, action);
  for (const v of values) agg.process(v);
  return agg.result();
}

test('summary counts values, sorted by count then value, MCollective-style text', () => {
  const s = run('summary', ['version'], ['1.2', '1.10', '1.2', '0.9', '1.10', '1.2', null, undefined]);
  assert.equal(s.function, 'summary');
  assert.equal(s.output, 'version');
  assert.equal(s.display_as, 'Version');
  assert.equal(s.kind, 'counts');
  assert.deepEqual(s.counts, [['1.2', 3], ['1.10', 2], ['0.9', 1]]);
  assert.deepEqual(s.text, ['    1.2 = 3', '   1.10 = 2', '    0.9 = 1']);
});

test('summary counts array values per element; objects by their JSON, numbers and booleans as text', () => {
  const s = run('summary', ['agents'], [['rpcutil', 'nrpe'], ['rpcutil'], [], { a: 1 }, 5, true]);
  assert.deepEqual(s.counts, [['rpcutil', 2], ['5', 1], ['nrpe', 1], ['true', 1], ['{"a":1}', 1]]);
});

test('summary with a Choria {format} argument', () => {
  const s = run('summary', ['version', { format: '%s Tests on %d node(s)' }], [12, 12, 3]);
  assert.deepEqual(s.text, ['12 Tests on 2 node(s)', '3 Tests on 1 node(s)']);
});

test('boolean_summary counts true/false with optional labels, ignoring other values', () => {
  const plain = run('boolean_summary', ['enabled'], [true, false, true, 'yes', null]);
  assert.deepEqual(plain.counts, [['true', 2], ['false', 1]]);
  assert.deepEqual(plain.text, ['    true = 2', '   false = 1']);
  const labelled = run('boolean_summary', ['enabled', { true: 'Enabled', false: 'Disabled', format: '%-10s: %d' }], [true, false, false]);
  assert.deepEqual(labelled.counts, [['Disabled', 2], ['Enabled', 1]]);
  assert.deepEqual(labelled.text, ['Disabled  : 2', 'Enabled   : 1']);
});

test('average: numbers and numeric strings, other values ignored', () => {
  const s = run('average', ['load'], [1, 2, '3', 'abc', null, true, Number.NaN, [4]]);
  assert.equal(s.kind, 'value');
  assert.equal(s.value, 2);
  assert.deepEqual(s.text, ['Average of Load Average: 2']);
  assert.deepEqual(run('average', ['load'], [1, 2, 2]).text, ['Average of Load Average: 1.67']);
  assert.deepEqual(run('average', ['load', { format: 'Load: %.3f' }], [1, 2, 2]).text, ['Load: 1.667']);
  const none = run('average', ['load'], ['x']);
  assert.equal(none.value, undefined);
  assert.deepEqual(none.text, []);
});

test('sum: total of numeric values, 0 when none', () => {
  const s = run('sum', ['load'], [1.5, 2, 'x', '0.5']);
  assert.equal(s.value, 4);
  assert.deepEqual(s.text, ['Sum of Load Average: 4']);
  assert.deepEqual(run('sum', ['load', { format: 'total=%d' }], [1.9, 1]).text, ['total=2']);
  assert.equal(run('sum', ['load'], []).value, 0);
});

test('registry: unknown function names the function and the registered ones', () => {
  const registry = defaultAggregators();
  assert.deepEqual(registry.names(), ['average', 'boolean_summary', 'nagios_states', 'sum', 'summary']);
  assert.throws(
    () => registry.create({ function: 'custom_states', args: ['load'] }, action),
    (err: unknown) =>
      err instanceof AggregatorError &&
      /unknown aggregate function 'custom_states' in action 'info'; registered: average, boolean_summary, nagios_states, sum, summary/.test(err.message),
  );
  assert.throws(() => new AggregatorRegistry().create({ function: 'summary', args: ['x'] }, action), /registered: none/);
});

test('registry: custom functions can be added; defaultAggregators returns a new registry each time', () => {
  const registry = defaultAggregators();
  const first: Aggregator = {
    process() {},
    result: () => ({ function: 'first', output: 'load', display_as: 'Load', kind: 'value', value: 42, text: ['42'] }),
  };
  assert.equal(registry.register('first', () => first), registry);
  assert.ok(registry.has('first'));
  assert.equal(run('first', ['load'], [], registry).value, 42);
  assert.equal(defaultAggregators().has('first'), false);
});

test('a malformed aggregate call is an AggregatorError', () => {
  assert.throws(() => run('summary', [], []), (err: unknown) => err instanceof AggregatorError && /must name an output/.test(err.message));
});
