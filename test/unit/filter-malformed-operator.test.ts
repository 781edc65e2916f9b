// A mistyped operator (`cpus>>8`) is refused with the position marked, in -F,
// -W and -S alike, instead of becoming a comparison with the value ">8" that
// matches nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilter, FilterSyntaxError } from '@cohort/core';

function refusal(spec: Parameters<typeof buildFilter>[0]): FilterSyntaxError {
  try {
    buildFilter(spec);
  } catch (err) {
    assert.ok(err instanceof FilterSyntaxError, String(err));
    return err;
  }
  assert.fail(`accepted ${JSON.stringify(spec)}`);
}

test('-F: a doubled or run-together operator is refused, pointing at it', () => {
  const e = refusal({ fact: ['cpus>>8'] });
  assert.equal(e.message, 'malformed operator ">>" in "cpus>>8": the operators are = == != < > <= >= =~ (and =/regex/)');
  assert.equal(e.pointer(), 'cpus>>8\n    ^^');
  assert.equal(refusal({ fact: ['cpus=>=8'] }).pointer(), 'cpus=>=8\n    ^^^');
  assert.equal(refusal({ fact: ['role===web'] }).pointer(), 'role===web\n    ^^^');
  assert.equal(refusal({ fact: ['cpus > <8'] }).pointer(), 'cpus > <8\n     ^^^');
});

test('-W and -S refuse it the same way', () => {
  assert.equal(refusal({ with: ['mysql cpus>>8'] }).pointer(), 'mysql cpus>>8\n          ^^');
  const s = refusal({ select: ['role=web and cpus<<4'] });
  assert.match(s.message, /^malformed operator "<<": the operators are/);
  assert.equal(s.pointer(), 'role=web and cpus<<4\n                 ^^');
});

test('legitimate values are untouched: regexes, quoted values, legacy operators', () => {
  assert.deepEqual(buildFilter({ fact: ['role=~>x'] }).fact, [{ fact: 'role', operator: '=~', value: '>x' }]);
  assert.deepEqual(buildFilter({ fact: ['cpus=>8', 'cpus=<8'] }).fact, [
    { fact: 'cpus', operator: '>=', value: '8' },
    { fact: 'cpus', operator: '<=', value: '8' },
  ]);
  assert.doesNotThrow(() => buildFilter({ select: ["motd='>>> hello'"] }));
});
