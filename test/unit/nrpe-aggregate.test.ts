import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DdlAction } from '@cohort/core';
import { defaultAggregators, summarize } from '../../packages/client/src/aggregate/index.ts';

const runcommand: DdlAction = {
  action: 'runcommand',
  description: 'Run a NRPE command',
  input: {},
  output: {
    output: { description: 'Output', display_as: 'Output', type: 'string', default: '' },
    exitcode: { description: 'Exit Code', display_as: 'Exit Code', type: 'integer', default: 3 },
  },
  display: 'failed',
  aggregate: [{ function: 'nagios_states', args: ['exitcode'] }],
};

test('nagios_states counts every state, in order, status 0 and 1 replies alike', () => {
  assert.ok(defaultAggregators().has('nagios_states'));
  const [s] = summarize(runcommand, [
    { statuscode: 0, data: { exitcode: 0 } },
    { statuscode: 0, data: { exitcode: 0 } },
    { statuscode: 1, data: { exitcode: 2 } },
    { statuscode: 1, data: { exitcode: 3 } },
    { statuscode: 1, data: { exitcode: 7 } },
    { statuscode: 1, data: { exitcode: null } },
    { statuscode: 4, data: { exitcode: 1 } },
  ]);
  assert.equal(s?.display_as, 'Exit Code');
  assert.deepEqual(s?.counts, [['OK', 2], ['WARNING', 0], ['CRITICAL', 1], ['UNKNOWN', 3]]);
  assert.deepEqual(s?.text, ['        OK : 2', '   WARNING : 0', '  CRITICAL : 1', '   UNKNOWN : 3']);
});

test('nagios_states with no replies still lists the four states; a {format} replaces the layout', () => {
  const [empty] = summarize(runcommand, []);
  assert.deepEqual(empty?.counts, [['OK', 0], ['WARNING', 0], ['CRITICAL', 0], ['UNKNOWN', 0]]);
  const formatted = { ...runcommand, aggregate: [{ function: 'nagios_states', args: ['exitcode', { format: '%s=%d' }] }] };
  assert.deepEqual(summarize(formatted, [{ statuscode: 1, data: { exitcode: 1 } }])[0]?.text, ['OK=0', 'WARNING=1', 'CRITICAL=0', 'UNKNOWN=0']);
});
