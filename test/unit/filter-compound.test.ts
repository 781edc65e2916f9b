import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyFilter, matchFilter, parseCompound, type Facts, type NodeView } from '@cohort/core';

/** Evaluate `expr` on a node whose true classes are `classes`. */
function holds(expr: string, classes: readonly string[], facts: Facts = {}, data?: NodeView['data']): boolean {
  parseCompound(expr); // must parse on the client too
  const filter = emptyFilter();
  filter.compound.push(expr);
  const view: NodeView = { identity: 'n1', facts, classes, agents: [] };
  if (data !== undefined) view.data = data;
  return matchFilter(filter, view);
}

test('and, or, not on classes', () => {
  assert.equal(holds('a and b', ['a', 'b']), true);
  assert.equal(holds('a and b', ['a']), false);
  assert.equal(holds('a or b', ['b']), true);
  assert.equal(holds('a or b', []), false);
  assert.equal(holds('not a', []), true);
  assert.equal(holds('not a', ['a']), false);
});

test('! is not, with or without a space', () => {
  assert.equal(holds('!a', []), true);
  assert.equal(holds('! a', ['a']), false);
  assert.equal(holds('b and !a', ['b']), true);
  assert.equal(holds('!(a or b)', ['b']), false);
});

test('precedence: and binds tighter than or', () => {
  // a or (b and c) = true; (a or b) and c would be false
  assert.equal(holds('a or b and c', ['a', 'b']), true);
  // (a and b) or c = true; a and (b or c) would be false
  assert.equal(holds('a and b or c', ['c']), true);
});

test('precedence: not binds tighter than and and or', () => {
  // (not a) and b = false; not (a and b) would be true
  assert.equal(holds('not a and b', []), false);
  // (not a) or b = true; not (a or b) would be false
  assert.equal(holds('not a or b', ['a', 'b']), true);
  assert.equal(holds('!a or b', ['a', 'b']), true);
});

test('parentheses override precedence', () => {
  assert.equal(holds('(a or b) and c', ['a', 'b']), false);
  assert.equal(holds('a and (b or c)', ['c']), false);
  assert.equal(holds('not (a and b)', []), true);
  assert.equal(holds('((a or b) and (c or d)) or e', ['b', 'd']), true);
  assert.equal(holds('((a or b) and (c or d)) or e', ['b']), false);
});

test('keywords need whitespace or ( after them: android is a class', () => {
  assert.equal(holds('android', ['android']), true);
  assert.equal(holds('android', []), false);
  assert.equal(holds('oracle or notary', ['notary']), true);
  assert.equal(holds('android and ntp', ['android', 'ntp']), true);
  assert.equal(holds('not(a)', []), true);
  assert.equal(holds('a and(b)', ['a', 'b']), true);
});

test('class regex statement', () => {
  assert.equal(holds('/^apa/', ['Apache']), true);
  assert.equal(holds('/^apa/', ['mod_apache']), false);
  assert.equal(holds('/a b/ or x', ['a b']), true, 'a regex may contain spaces');
});

test('fact statements: = is ==, /re/ is a regex, other operators as -F', () => {
  const facts = { os: 'Debian', cpus: 8 };
  assert.equal(holds('os=debian', [], facts), true);
  assert.equal(holds('os==debian', [], facts), true);
  assert.equal(holds('os=/^deb/', [], facts), true);
  assert.equal(holds('os=~^deb', [], facts), true);
  assert.equal(holds('os=/^red/', [], facts), false);
  assert.equal(holds('cpus>4 and cpus<=8', [], facts), true);
  assert.equal(holds('cpus>=9', [], facts), false);
  assert.equal(holds('cpus=>8 and cpus=<8', [], facts), true);
});

test('spaces are allowed around a comparison operator', () => {
  const facts = { os: 'debian', cpus: 8 };
  assert.equal(holds('os = debian and cpus > 4', [], facts), true);
  assert.equal(holds('cpus >= 9 or os != debian', [], facts), false);
});

test('!= works inside -S, including on arrays', () => {
  const facts = { os: 'debian', roles: ['web', 'db'] };
  assert.equal(holds('os!=redhat', [], facts), true);
  assert.equal(holds('os!=DEBIAN', [], facts), false);
  assert.equal(holds('roles!=web', [], facts), false);
  assert.equal(holds('roles!=cache', [], facts), true);
});

test('!=/re/ is a negated regex', () => {
  const facts = { os: 'debian', roles: ['web', 'db'] };
  assert.equal(holds('os!=/^red/', [], facts), true);
  assert.equal(holds('os!=/^DEB/', [], facts), false);
  assert.equal(holds('roles!=/^w/', [], facts), false, 'an element matches');
  assert.equal(holds('roles!=/^x/', [], facts), true);
});

test('== with a /value/ compares literally', () => {
  assert.equal(holds('path==/srv/', [], { path: '/srv/' }), true);
  assert.equal(holds('path==/srv/', [], { path: 'srv' }), false);
});

test('missing fact: != does not match, but not fact=value does', () => {
  assert.equal(holds('x!=1', [], {}), false);
  assert.equal(holds('not x=1', [], {}), true);
});

test('quoted values may contain spaces, keywords and the other quote', () => {
  const facts = { motd: 'hello and welcome', quote: "it's", eq: 'a=b' };
  assert.equal(holds("motd='hello and welcome'", [], facts), true);
  assert.equal(holds('motd="HELLO and welcome" and quote="it\'s"', [], facts), true);
  assert.equal(holds("eq='a=b'", [], facts), true);
  assert.equal(holds("motd='hello'", [], facts), false);
  assert.equal(holds("motd =~ 'and welcome$'", [], facts), true, 'a quoted =~ value is a regex');
  assert.equal(holds("path='/srv/'", [], { path: '/srv/' }), true, 'a quoted /value/ is literal');
});

test('a quoted class name', () => {
  assert.equal(holds("'my class' or x", ['My Class']), true);
  assert.equal(holds('"/x/"', ['/x/']), true, 'quoted slashes are not a regex');
  assert.equal(holds('"/x/"', ['axb']), false);
});

test('fact() data function: value, exists, nested paths', () => {
  const facts = { os: { family: 'Debian', release: '12' }, tags: ['a', 'b'] };
  assert.equal(holds("fact('os.family')=debian", [], facts), true);
  assert.equal(holds("fact('os.family').value=/^deb/", [], facts), true);
  assert.equal(holds("fact('os.release').value>=11", [], facts), true);
  assert.equal(holds("fact('os.release')<11", [], facts), false);
  assert.equal(holds("fact('tags')=b", [], facts), true);
  assert.equal(holds("fact('os.family').exists", [], facts), true);
  assert.equal(holds("fact('os.nope').exists", [], facts), false);
  assert.equal(holds("fact('os.nope').exists=false", [], facts), true);
  assert.equal(holds("fact('os.nope')!=x", [], facts), false, 'missing value never matches');
});

test('data functions come from NodeView.data when present', () => {
  const calls: string[] = [];
  const data = (name: string, arg: string) => {
    calls.push(`${name}:${arg}`);
    return name === 'fact' ? { exists: true, value: 'from-data' } : undefined;
  };
  assert.equal(holds("fact('x')=from-data", [], {}, data), true);
  assert.equal(holds("fstat('/x').present", [], {}, data), false, 'undefined result never matches');
  assert.deepEqual(calls, ['fact:x', 'fstat:/x']);
});

test('function result rules: numbers need numbers, booleans need true/false', () => {
  const data = () => ({ size: 10, present: true, md5: 'ABC', type: 'file', mode: '644', mtime: 5 });
  assert.equal(holds("fstat('/f').size>9", [], {}, data), true);
  assert.equal(holds("fstat('/f').size<9", [], {}, data), false);
  assert.equal(holds("fstat('/f').present=true", [], {}, data), true);
  assert.equal(holds("fstat('/f').present!=TRUE", [], {}, data), false);
  assert.equal(holds("fstat('/f').md5=abc", [], {}, data), true, 'strings compare case-insensitively');
  assert.equal(holds("fstat('/f').type<g", [], {}, data), true, 'string ordering works (MCollective says false)');
  assert.equal(holds("fstat('/f').mode=0644", [], {}, data), true, 'octal strings compare numerically');
  // A data function that returns an unexpected type: the rules still apply on the node.
  const odd = () => ({ size: 10, present: 'yes' });
  assert.equal(holds("fstat('/f').present", [], {}, odd), false, 'without a comparison only boolean true matches');
});

test('a data function that throws makes the filter not match', () => {
  const data = () => {
    throw new Error('boom');
  };
  assert.equal(holds("fstat('/f').present", [], {}, data), false);
});

test('statements mix: MCollective documentation examples', () => {
  const facts = { customer: 'acme', environment: 'staging' };
  assert.equal(holds('((customer=acme and environment=staging) or environment=development) and /apache/', ['apache'], facts), true);
  assert.equal(holds('environment=development and !customer=acme', [], facts), false);
  assert.equal(holds('environment=staging and !customer=other', [], facts), true);
});

test('parseCompound returns a tree whose kind reflects the top operator', () => {
  assert.equal(parseCompound('a or b and c').kind, 'or');
  assert.equal(parseCompound('(a or b) and c').kind, 'and');
  assert.equal(parseCompound('not a').kind, 'not');
  assert.equal(parseCompound('a').kind, 'class');
  assert.equal(parseCompound('a=1').kind, 'fact');
  assert.equal(parseCompound("fact('a')=1").kind, 'function');
});
