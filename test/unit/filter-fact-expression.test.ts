import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterSyntaxError, parseFactExpression, parseWithToken } from '@cohort/core';

function syntaxError(fn: () => unknown): FilterSyntaxError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FilterSyntaxError, `expected FilterSyntaxError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a FilterSyntaxError');
}

test('every operator parses to itself', () => {
  for (const op of ['<=', '>=', '<', '>', '!=', '==']) {
    assert.deepEqual(parseFactExpression(`cpus${op}4`), { fact: 'cpus', operator: op, value: '4' });
  }
});

test('= means ==', () => {
  assert.deepEqual(parseFactExpression('os.family=debian'), { fact: 'os.family', operator: '==', value: 'debian' });
});

test('legacy => is >= and =< is <=', () => {
  assert.deepEqual(parseFactExpression('cpus=>4'), { fact: 'cpus', operator: '>=', value: '4' });
  assert.deepEqual(parseFactExpression('cpus=<4'), { fact: 'cpus', operator: '<=', value: '4' });
});

test('spaces are allowed around the operator and trimmed from the ends', () => {
  assert.deepEqual(parseFactExpression('  cpus >= 4 '), { fact: 'cpus', operator: '>=', value: '4' });
  assert.deepEqual(parseFactExpression('role = web'), { fact: 'role', operator: '==', value: 'web' });
});

test('=/re/ is =~ and the value is the regex source without slashes', () => {
  assert.deepEqual(parseFactExpression('role=/^web\\d+/'), { fact: 'role', operator: '=~', value: '^web\\d+' });
  assert.deepEqual(parseFactExpression('role=~/web/'), { fact: 'role', operator: '=~', value: 'web' });
  assert.deepEqual(parseFactExpression('role=~web'), { fact: 'role', operator: '=~', value: 'web' });
});

test('== and != with a /value/ compare literally', () => {
  assert.deepEqual(parseFactExpression('path==/srv/'), { fact: 'path', operator: '==', value: '/srv/' });
  assert.deepEqual(parseFactExpression('path!=/srv/'), { fact: 'path', operator: '!=', value: '/srv/' });
});

test('a value may contain operator characters and spaces', () => {
  assert.deepEqual(parseFactExpression('motd=a=b c'), { fact: 'motd', operator: '==', value: 'a=b c' });
});

test('empty fact name is an error pointing at the operator', () => {
  const err = syntaxError(() => parseFactExpression('=debian'));
  assert.equal(err.position, 0);
  assert.match(err.message, /missing fact name/);
  assert.equal(syntaxError(() => parseFactExpression('  >= 4')).position, 2);
});

test('empty value is an error pointing at the operator', () => {
  const err = syntaxError(() => parseFactExpression('cpus>='));
  assert.equal(err.position, 4);
  assert.equal(err.length, 2);
  assert.match(err.message, /missing value/);
  assert.equal(syntaxError(() => parseFactExpression('os=')).position, 2);
  assert.equal(syntaxError(() => parseFactExpression('os=~ ')).position, 2);
});

test('no operator is an error saying what is expected', () => {
  const err = syntaxError(() => parseFactExpression('debian'));
  assert.match(err.message, /could not parse fact expression "debian".*expected fact<op>value/);
  assert.equal(err.position, 6);
  assert.equal(syntaxError(() => parseFactExpression('os!debian')).position, 2);
  assert.equal(syntaxError(() => parseFactExpression('os family=x')).position, 3);
  assert.match(syntaxError(() => parseFactExpression('   ')).message, /empty fact expression/);
});

test('an invalid regex is a syntax error pointing into the regex', () => {
  const err = syntaxError(() => parseFactExpression('role=/web(/'));
  assert.equal(err.position, 6);
  assert.match(err.message, /invalid regular expression/);
  assert.equal(syntaxError(() => parseFactExpression('role=~(')).position, 6);
});

test('Ruby/Go anchors are accepted in regexes', () => {
  assert.equal(parseFactExpression('role=/\\Aweb\\z/').value, '\\Aweb\\z');
});

test('-W tokens: fact expressions are facts, other words are classes', () => {
  assert.deepEqual(parseWithToken('os=debian'), { kind: 'fact', fact: { fact: 'os', operator: '==', value: 'debian' } });
  assert.deepEqual(parseWithToken('cpus>4'), { kind: 'fact', fact: { fact: 'cpus', operator: '>', value: '4' } });
  assert.deepEqual(parseWithToken('apache'), { kind: 'class', value: 'apache' });
  assert.deepEqual(parseWithToken('apache::mod_ssl'), { kind: 'class', value: 'apache::mod_ssl' });
});

test('-W token that is a /regex/ is a class regex, even when it contains =', () => {
  assert.deepEqual(parseWithToken('/web/'), { kind: 'class', value: '/web/' });
  assert.deepEqual(parseWithToken('/a=b/'), { kind: 'class', value: '/a=b/' });
});

test('-W token with an operator that does not parse is an error, not a class', () => {
  assert.equal(syntaxError(() => parseWithToken('os=')).position, 2);
  assert.equal(syntaxError(() => parseWithToken('=x')).position, 0);
});
