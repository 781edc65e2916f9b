import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatString } from '../../packages/client/src/aggregate/index.ts';

test('%s, %d, %i, %f, %.Nf and %%', () => {
  assert.equal(formatString('%s = %d', ['a', 3]), 'a = 3');
  assert.equal(formatString('%i items', [4.9]), '4 items');
  assert.equal(formatString('%f', [1.5]), '1.500000');
  assert.equal(formatString('%.2f%%', [99.456]), '99.46%');
  assert.equal(formatString('%.0f', [2.5]), '3');
  assert.equal(formatString('%d', ['7']), '7');
  assert.equal(formatString('%d', [-7.9]), '-7');
});

test('widths, flags and precision', () => {
  assert.equal(formatString('%10s|', ['abc']), '       abc|');
  assert.equal(formatString('%-10s|', ['abc']), 'abc       |');
  assert.equal(formatString('%5d|', [42]), '   42|');
  assert.equal(formatString('%05d', [-42]), '-0042');
  assert.equal(formatString('%+d % d', [5, 5]), '+5  5');
  assert.equal(formatString('%8.3f', [3.14159]), '   3.142');
  assert.equal(formatString('%.2s', ['abcdef']), 'ab');
});

test('missing arguments print empty; non-numbers under %d print as they are; objects as JSON', () => {
  assert.equal(formatString('%s and %s', ['one']), 'one and ');
  assert.equal(formatString('%d nodes', ['many']), 'many nodes');
  assert.equal(formatString('%s', [{ a: [1] }]), '{"a":[1]}');
  assert.equal(formatString('no directives', [1]), 'no directives');
});

test('formatNumber: integers as is, others to 2 decimals', () => {
  assert.equal(formatNumber(3), '3');
  assert.equal(formatNumber(3.5), '3.5');
  assert.equal(formatNumber(1 / 3), '0.33');
});
