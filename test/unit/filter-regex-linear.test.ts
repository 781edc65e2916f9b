import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilter, emptyFilter, FilterSyntaxError, matchFilter, parseFactExpression, type Facts, type Filter } from '@cohort/core';

const node = (facts: Facts, classes: string[] = []) => ({ identity: 'node1', facts, classes, agents: ['rpcutil'] });

function withFact(expr: string): Filter {
  const filter = emptyFilter();
  filter.fact.push(parseFactExpression(expr));
  return filter;
}

// A backtracking engine needs ~2^30 steps (seconds to minutes) for each of
// these; RE2 answers in microseconds. The timeout turns a regression into a failure.
test('catastrophic-backtracking patterns are matched in linear time', { timeout: 10000 }, () => {
  const evil = `${'a'.repeat(30)}!`;
  assert.equal(matchFilter(withFact('name=/^(a+)+$/'), node({ name: evil })), false);
  assert.equal(matchFilter(withFact('name=/^(a|a)*$/'), node({ name: evil })), false);
  assert.equal(matchFilter(withFact('name=/(.*a){25}x/'), node({ name: evil })), false);
  const compound = emptyFilter();
  compound.compound.push('name=~/^(a+)+$/ or /^(x+x+)+y$/');
  assert.equal(matchFilter(compound, node({ name: evil }, ['x'.repeat(30)])), false);
  assert.equal(matchFilter(withFact('name=/^(a+)+!$/'), node({ name: evil })), true, 'and it still matches what it should');
});

test('regex syntax RE2 does not have is a syntax error naming the problem, on the client', () => {
  assert.throws(() => parseFactExpression('name=/^(?=web)/'), (err: unknown) => err instanceof FilterSyntaxError && /\(\?=/.test(err.message));
  assert.throws(() => buildFilter({ identity: ['/(a)\\1/'] }), (err: unknown) => err instanceof FilterSyntaxError && /\\1/.test(err.message));
});
