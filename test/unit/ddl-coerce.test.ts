import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, coerceInputs, type DdlAction, type DdlInput, type InputType } from '@cohort/core';
import { caught } from '../harness/messages.js';

function input(type: InputType): DdlInput {
  return { prompt: 'P', description: `A ${type}`, type, optional: true, validation: '.', maxlength: 0, list: ['a', 'b'] };
}

const types: InputType[] = ['string', 'list', 'boolean', 'integer', 'float', 'number', 'hash', 'array'];
const act: DdlAction = {
  action: 'act',
  description: 'Every type',
  input: Object.fromEntries(types.map((t) => [t, input(t)])),
  output: {},
};

const inputError = (fn: () => unknown): InputError => caught(InputError, fn);

test('every DDL type is coerced from its CLI text', () => {
  assert.deepEqual(
    coerceInputs(act, {
      string: '42',
      list: 'a',
      boolean: 'yes',
      integer: '-12',
      float: '1.5',
      number: '1e3',
      hash: '{"a":1,"b":[true]}',
      array: '[1,"x"]',
    }),
    { string: '42', list: 'a', boolean: true, integer: -12, float: 1.5, number: 1000, hash: { a: 1, b: [true] }, array: [1, 'x'] },
  );
});

test('booleans: true/false/yes/no/y/n/1/0 in any case', () => {
  const t = ['true', 'TRUE', 'Yes', 'y', '1'];
  const f = ['false', 'False', 'NO', 'n', '0'];
  for (const v of t) assert.equal(coerceInputs(act, { boolean: v })['boolean'], true, v);
  for (const v of f) assert.equal(coerceInputs(act, { boolean: v })['boolean'], false, v);
  const err = inputError(() => coerceInputs(act, { boolean: 'maybe' }));
  assert.equal(err.status, 4);
  assert.match(err.message, /input 'boolean' \(A boolean\): expects a boolean \(true\/false, yes\/no, y\/n, 1\/0\), got 'maybe'/);
});

test('integers must be whole numbers written as digits', () => {
  assert.equal(coerceInputs(act, { integer: '+7' })['integer'], 7);
  for (const bad of ['1.5', '1e3', 'abc', '', '0x10', '99999999999999999999']) {
    assert.match(inputError(() => coerceInputs(act, { integer: bad })).message, /input 'integer' \(A integer\): expects an integer/, bad);
  }
});

test('floats and numbers accept any finite number', () => {
  assert.equal(coerceInputs(act, { float: '-0.25' })['float'], -0.25);
  assert.equal(coerceInputs(act, { number: '3' })['number'], 3);
  for (const bad of ['', ' ', 'abc', 'Infinity', 'NaN', '1,5']) {
    assert.match(inputError(() => coerceInputs(act, { number: bad })).message, /expects a number/, bad);
  }
});

test('hash and array expect JSON', () => {
  const h = inputError(() => coerceInputs(act, { hash: '{a:1}' }));
  assert.equal(h.status, 4);
  assert.equal(h.input, 'hash');
  assert.match(h.message, /input 'hash' \(A hash\): expects JSON, e\.g\. \{"a":1\}, got '\{a:1\}'/);
  assert.match(inputError(() => coerceInputs(act, { array: '[1,' })).message, /expects JSON, e\.g\. \["a",1\]/);
});

test('strings and lists pass through unchanged; no defaults, no validation', () => {
  assert.deepEqual(coerceInputs(act, { string: ' spaced ', list: 'not-in-list' }), { string: ' spaced ', list: 'not-in-list' });
  assert.deepEqual(coerceInputs(act, {}), {});
});

test('an unknown key is status 4 listing the valid inputs', () => {
  const err = inputError(() => coerceInputs(act, { colour: 'red' }));
  assert.equal(err.status, 4);
  assert.equal(err.input, 'colour');
  assert.match(err.message, /unknown input 'colour' for action 'act'; valid inputs: string, list, boolean, integer, float, number, hash, array/);
  assert.throws(() => coerceInputs(act, { toString: 'x' }), /unknown input 'toString'/);
});
