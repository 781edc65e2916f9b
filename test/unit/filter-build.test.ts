import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilter, emptyFilter, FilterSyntaxError, type FilterSpec } from '@cohort/core';

function syntaxError(spec: FilterSpec): FilterSyntaxError {
  try {
    buildFilter(spec);
  } catch (err) {
    assert.ok(err instanceof FilterSyntaxError, `expected FilterSyntaxError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(spec)} to be rejected`);
}

test('no flags: the empty filter', () => {
  assert.deepEqual(buildFilter({}), emptyFilter());
});

test('every flag lands in its wire field, repeats kept in order', () => {
  const filter = buildFilter({
    fact: ['os=debian', 'cpus=>4'],
    cls: ['apache', '/^role::/'],
    identity: ['web01', '/^db/'],
    agent: ['package', 'service'],
    select: ['a and b', ' not c '],
  });
  assert.deepEqual(filter, {
    fact: [
      { fact: 'os', operator: '==', value: 'debian' },
      { fact: 'cpus', operator: '>=', value: '4' },
    ],
    cf_class: ['apache', '/^role::/'],
    identity: ['web01', '/^db/'],
    agent: ['package', 'service'],
    compound: ['a and b', 'not c'],
  });
});

test('-W splits on whitespace: fact expressions become facts, other tokens classes', () => {
  const filter = buildFilter({ with: ['apache  os=debian\tcpus>2', '/^role/ ntp'] });
  assert.deepEqual(filter.fact, [
    { fact: 'os', operator: '==', value: 'debian' },
    { fact: 'cpus', operator: '>', value: '2' },
  ]);
  assert.deepEqual(filter.cf_class, ['apache', '/^role/', 'ntp']);
});

test('-W facts and classes add to -F and -C', () => {
  const filter = buildFilter({ fact: ['a=1'], cls: ['x'], with: ['b=2 y'] });
  assert.deepEqual(filter.fact.map((f) => f.fact), ['a', 'b']);
  assert.deepEqual(filter.cf_class, ['x', 'y']);
});

test('-F errors point into the flag value', () => {
  const err = syntaxError({ fact: ['os=debian', 'cpus>='] });
  assert.equal(err.input, 'cpus>=');
  assert.equal(err.position, 4);
});

test('-W errors point into the whole -W value', () => {
  const err = syntaxError({ with: ['apache cpus>= ntp'] });
  assert.equal(err.input, 'apache cpus>= ntp');
  assert.equal(err.position, 11);
  assert.equal(err.pointer(), 'apache cpus>= ntp\n           ^^');
  assert.equal(syntaxError({ with: ['a role=/x(/'] }).position, 8);
  assert.match(syntaxError({ with: ['  '] }).message, /empty -W filter/);
  assert.match(syntaxError({ with: ['/(/'] }).message, /invalid class regular expression/);
});

test('-S errors point into the expression', () => {
  const err = syntaxError({ select: ['a and or b'] });
  assert.equal(err.input, 'a and or b');
  assert.equal(err.position, 6);
  assert.equal(syntaxError({ select: ["fstat('/x').owner=root"] }).position, 12);
  assert.match(syntaxError({ select: [''] }).message, /empty compound expression/);
});

test('class, identity and agent: empty values and invalid regexes are rejected', () => {
  assert.match(syntaxError({ cls: [''] }).message, /empty class filter/);
  assert.match(syntaxError({ identity: [' '] }).message, /empty identity filter/);
  assert.match(syntaxError({ agent: [''] }).message, /empty agent filter/);
  const err = syntaxError({ identity: ['/web(/'] });
  assert.match(err.message, /invalid identity regular expression/);
  assert.equal(err.position, 1);
  assert.equal(err.length, 4);
  assert.match(syntaxError({ agent: ['//'] }).message, /empty regular expression/);
  assert.match(syntaxError({ cls: ['/a)/'] }).message, /invalid class regular expression/);
});

test('class, identity and agent values are trimmed', () => {
  assert.deepEqual(buildFilter({ cls: [' apache '], identity: ['web01 '], agent: [' rpcutil'] }), {
    ...emptyFilter(),
    cf_class: ['apache'],
    identity: ['web01'],
    agent: ['rpcutil'],
  });
});
