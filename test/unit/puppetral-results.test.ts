import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOutput, findOutput, searchOutput } from '@cohort/agents';

const event = (property: string, status: string, message: string) => ({ property, previous_value: 'a', desired_value: 'b', status, message });

test('apply: status from the events, changes read like Puppet log lines', () => {
  const changed = applyOutput({ events: [event('ensure', 'success', 'created'), event('ip', 'success', "ip changed 'a' to 'b'")], parameters: { ip: 'b' } });
  assert.equal(changed.status, 'changed');
  assert.deepEqual(changed.changes, ['ensure: created', "ip: ip changed 'a' to 'b'"]);
  assert.deepEqual(changed.events[1], event('ip', 'success', "ip changed 'a' to 'b'"));
  assert.deepEqual(changed.parameters, { ip: 'b' });

  const noop = applyOutput({ events: [event('ip', 'noop', "current_value 'a', should be 'b' (noop)")], parameters: {} });
  assert.equal(noop.status, 'noop');
  assert.deepEqual(noop.changes, ["ip: current_value 'a', should be 'b' (noop)"]);

  const same = applyOutput({ events: [], parameters: {} });
  assert.equal(same.status, 'unchanged');
  assert.deepEqual(same.changes, []);
});

test('apply: odd helper results give empty outputs, not a crash', () => {
  assert.deepEqual(applyOutput(null), { status: 'unchanged', changes: [], events: [], parameters: {} });
  const odd = applyOutput({ events: [null, 3, { status: 'success' }], parameters: [1] });
  assert.equal(odd.status, 'changed');
  assert.deepEqual(odd.events, [{ property: '', previous_value: null, desired_value: null, status: 'success', message: '' }]);
  assert.deepEqual(odd.changes, ['']);
  assert.deepEqual(odd.parameters, {});
});

test('find: ensure pulled out of the parameters; search: count of resources by title', () => {
  assert.deepEqual(findOutput({ parameters: { ensure: 'present', ip: '10.0.0.1' } }), { ensure: 'present', parameters: { ensure: 'present', ip: '10.0.0.1' } });
  assert.deepEqual(findOutput({ parameters: { returns: 'notrun' } }), { ensure: '', parameters: { returns: 'notrun' } });
  assert.deepEqual(findOutput({}), { ensure: '', parameters: {} });
  assert.deepEqual(searchOutput({ resources: { a: {}, b: {} } }), { count: 2, resources: { a: {}, b: {} } });
  assert.deepEqual(searchOutput({ resources: 'x' }), { count: 0, resources: {} });
});
