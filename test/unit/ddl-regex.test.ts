import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileValidation, namedValidators, translateRegex } from '@cohort/core';

test('Ruby/Go anchors and flags translate to JavaScript', () => {
  assert.deepEqual(translateRegex('\\A[a-z]+\\z'), { source: '^[a-z]+$', flags: '' });
  assert.deepEqual(translateRegex('(?i)\\Aabc\\Z'), { source: '^abc(?=\\n?$)', flags: 'i' });
  assert.deepEqual(translateRegex('(?P<word>\\w+)'), { source: '(?<word>\\w+)', flags: '' });
  assert.deepEqual(translateRegex('\\h+'), { source: '[0-9a-fA-F]+', flags: '' });
  // Escaped backslashes and character-class contents are left alone.
  assert.deepEqual(translateRegex('\\\\A[\\A]'), { source: '\\\\A[\\A]', flags: '' });
});

test('translated regexes behave like the originals', () => {
  const upper = compileValidation('(?i)\\Aab\\z');
  assert.equal(upper.test('AB'), true);
  assert.equal(upper.test('ab\n'), false);
  const z = compileValidation('\\Aab\\Z');
  assert.equal(z.test('ab\n'), true);
  assert.equal(z.test('ab\nc'), false);
  const m = compileValidation('(?m)\\Aab$');
  assert.equal(m.test('ab\ncd'), true);
  assert.equal(m.test('x\nab'), false);
  const bracket = compileValidation('\\A[]a]+\\z');
  assert.equal(bracket.test(']a]'), true);
  // Choria's choria_provision config regex relies on a literal `{`.
  assert.equal(compileValidation('^{.+}$').test('{"a":1}'), true);
  // Characters, not UTF-16 units, as in Go and Ruby.
  assert.equal(compileValidation('^.{2,4}$').test('\u{10000}'), false);
  assert.equal(compileValidation('^.{2,4}$').test('\u{10000}\u{10000}'), true);
});

test('compiled validations are cached; invalid regexes throw SyntaxError', () => {
  assert.equal(compileValidation('\\A\\d+\\z'), compileValidation('\\A\\d+\\z'));
  assert.throws(() => compileValidation('(abc'), SyntaxError);
});

test('named validators are found by name only (no prototype lookups)', () => {
  assert.ok(Object.hasOwn(namedValidators, 'shellsafe'));
  assert.equal(compileValidation('shellsafe'), namedValidators['shellsafe']);
  assert.equal(compileValidation('toString').test('toString'), true);
  assert.equal(compileValidation('toString').test('other'), false);
});
