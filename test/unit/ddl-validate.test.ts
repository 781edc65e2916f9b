import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { InputError, findAction, inputSchema, loadDdlFile, validateInputs, type DdlAction, type DdlInput } from '@cohort/core';
import { caught } from '../harness/messages.js';

const fixtures = fileURLToPath(new URL('../fixtures/ddl/', import.meta.url));

function action(input: Record<string, DdlInput>): DdlAction {
  return { action: 'act', description: 'An action', input, output: {} };
}

function str(extra: Partial<DdlInput> = {}): DdlInput {
  return { prompt: 'P', description: 'A string', type: 'string', optional: true, validation: '.', maxlength: 0, ...extra };
}

const inputError = (fn: () => unknown): InputError => caught(InputError, fn);

const greet = findAction(loadDdlFile(`${fixtures}greeter.yaml`), 'greet');
assert.ok(greet);

test('defaults are applied to a new object; the argument is not modified', () => {
  const data = { name: 'Ada' };
  const out = validateInputs(greet, data);
  assert.deepEqual(out, { name: 'Ada', style: 'casual', times: 1 });
  assert.deepEqual(data, { name: 'Ada' });
  assert.notEqual(out, data);
  assert.deepEqual(validateInputs(greet, { name: 'Ada', times: 3 }), { name: 'Ada', style: 'casual', times: 3 });
});

test('a required input with a default is filled in, not reported missing', () => {
  const a = action({ level: { prompt: 'L', description: 'Level', type: 'integer', optional: false, default: 2 } });
  assert.deepEqual(validateInputs(a, {}), { level: 2 });
});

test('object defaults are copied per call', () => {
  const a = action({ opts: { prompt: 'O', description: 'Options', type: 'hash', optional: true, default: { a: 1 } } });
  const first = validateInputs(a, {});
  (first['opts'] as Record<string, unknown>)['a'] = 99;
  assert.deepEqual(validateInputs(a, {}), { opts: { a: 1 } });
});

test('missing required input is status 3 and names the input with its description', () => {
  const err = inputError(() => validateInputs(greet, {}));
  assert.equal(err.status, 3);
  assert.equal(err.input, 'name');
  assert.equal(err.message, "missing required input 'name' (Who to greet)");
});

test('unknown input is status 4 and lists the valid ones', () => {
  const err = inputError(() => validateInputs(greet, { name: 'Ada', colour: 'red' }));
  assert.equal(err.status, 4);
  assert.equal(err.input, 'colour');
  assert.match(err.message, /unknown input 'colour' for action 'greet'; valid inputs: name, style, times, loud, extra/);
  const none = inputError(() => validateInputs(action({}), { x: 1 }));
  assert.match(none.message, /action 'act' takes no inputs/);
});

test('maxlength: at most N characters, 0 = unlimited', () => {
  const a = action({ fact: str({ description: 'Fact to retrieve', maxlength: 5 }) });
  assert.deepEqual(validateInputs(a, { fact: 'abcde' }), { fact: 'abcde' });
  const err = inputError(() => validateInputs(a, { fact: 'abcdef' }));
  assert.equal(err.status, 4);
  assert.equal(err.message, "input 'fact' (Fact to retrieve): must be a string of at most 5 characters");
  assert.match(inputError(() => validateInputs(a, { fact: 7 })).message, /must be a string of at most 5 characters/);
  const unlimited = action({ fact: str({ maxlength: 0 }) });
  assert.equal(validateInputs(unlimited, { fact: 'x'.repeat(10_000) })['fact'], 'x'.repeat(10_000));
});

test('regex validation with Ruby anchors', () => {
  const a = action({ name: str({ description: 'Name', validation: '\\A[a-z]+\\z' }) });
  assert.deepEqual(validateInputs(a, { name: 'abc' }), { name: 'abc' });
  for (const bad of ['abc1', 'ab c', 'abc\n']) {
    assert.match(inputError(() => validateInputs(a, { name: bad })).message, /input 'name' \(Name\): must match the regular expression \\A\[a-z\]\+\\z/);
  }
});

test('named validators: shellsafe, ipv4address, ipv6address, ipaddress', () => {
  const cases: Array<[string, string[], string[], RegExp]> = [
    ['shellsafe', ['ls -l /tmp', 'a & b', "it's"], ['a`b', 'a$b', 'a;b', 'a|b', 'a&&b', 'a>b', 'a<b', 'a\nb'], /must be shell safe/],
    ['ipv4address', ['192.168.1.1', '0.0.0.0'], ['256.1.1.1', '::1', 'host'], /must be an IPv4 address/],
    ['ipv6address', ['::1', 'fe80::1', '2001:db8::8a2e:370:7334'], ['192.168.1.1', 'gggg::1'], /must be an IPv6 address/],
    ['ipaddress', ['10.0.0.1', '::1'], ['10.0.0', 'localhost'], /must be an IPv4 or IPv6 address/],
  ];
  for (const [validation, good, bad, message] of cases) {
    const a = action({ v: str({ validation }) });
    for (const g of good) assert.deepEqual(validateInputs(a, { v: g }), { v: g }, `${validation} ${g}`);
    for (const b of bad) {
      const err = inputError(() => validateInputs(a, { v: b }));
      assert.equal(err.status, 4);
      assert.match(err.message, message, `${validation} ${JSON.stringify(b)}`);
    }
  }
});

test('list: the value must be one of the list', () => {
  assert.equal(validateInputs(greet, { name: 'Ada', style: 'formal' })['style'], 'formal');
  const err = inputError(() => validateInputs(greet, { name: 'Ada', style: 'rude' }));
  assert.equal(err.message, "input 'style' (How to greet): must be one of: formal, casual");
});

test('integer vs float vs number', () => {
  const a = action({
    i: { prompt: 'I', description: 'Int', type: 'integer', optional: true },
    f: { prompt: 'F', description: 'Float', type: 'float', optional: true },
    n: { prompt: 'N', description: 'Num', type: 'number', optional: true },
  });
  assert.deepEqual(validateInputs(a, { i: 3, f: 1.5, n: 2 }), { i: 3, f: 1.5, n: 2 });
  assert.deepEqual(validateInputs(a, { f: 2 }), { f: 2 });
  assert.match(inputError(() => validateInputs(a, { i: 1.5 })).message, /input 'i' \(Int\): must be an integer/);
  assert.match(inputError(() => validateInputs(a, { i: '3' })).message, /must be an integer/);
  assert.match(inputError(() => validateInputs(a, { f: '1.5' })).message, /input 'f' \(Float\): must be a number/);
  assert.match(inputError(() => validateInputs(a, { n: Number.NaN })).message, /input 'n' \(Num\): must be a number/);
  assert.match(inputError(() => validateInputs(a, { n: Number.POSITIVE_INFINITY })).message, /must be a number/);
});

test('boolean, hash and array', () => {
  const a = action({
    b: { prompt: 'B', description: 'Bool', type: 'boolean', optional: true },
    h: { prompt: 'H', description: 'Hash', type: 'hash', optional: true },
    arr: { prompt: 'A', description: 'Array', type: 'array', optional: true },
  });
  const ok = { b: false, h: { x: [1] }, arr: [1, 'a'] };
  assert.deepEqual(validateInputs(a, ok), ok);
  assert.match(inputError(() => validateInputs(a, { b: 'true' })).message, /input 'b' \(Bool\): must be a boolean/);
  assert.match(inputError(() => validateInputs(a, { h: [1] })).message, /input 'h' \(Hash\): must be a hash/);
  assert.match(inputError(() => validateInputs(a, { h: null })).message, /must be a hash/);
  assert.match(inputError(() => validateInputs(a, { arr: { 0: 1 } })).message, /input 'arr' \(Array\): must be an array/);
});

test('missing required wins over other problems; data that is not an object is refused', () => {
  assert.equal(inputError(() => validateInputs(greet, { style: 'rude', bogus: 1 })).status, 3);
  const err = inputError(() => validateInputs(greet, [] as unknown as Record<string, unknown>));
  assert.equal(err.status, 4);
  assert.match(err.message, /must be an object of input values/);
});

test('inputSchema is the JSON Schema used', () => {
  const schema = inputSchema(greet);
  assert.deepEqual(schema['required'], ['name']);
  assert.equal(schema['additionalProperties'], false);
  assert.deepEqual((schema['properties'] as Record<string, unknown>)['style'], { enum: ['formal', 'casual'] });
});
