import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyFilter, matchFilter, parseFactExpression, type Facts } from '@cohort/core';

/** Does a node with `facts` match `-F expr`? */
function fact(facts: Facts, expr: string): boolean {
  const filter = emptyFilter();
  filter.fact.push(parseFactExpression(expr));
  return matchFilter(filter, { identity: 'node1', facts, classes: [], agents: [] });
}

/** The same term inside -S, which must agree with -F. */
function select(facts: Facts, expr: string): boolean {
  const filter = emptyFilter();
  filter.compound.push(expr);
  return matchFilter(filter, { identity: 'node1', facts, classes: [], agents: [] });
}

const both = (facts: Facts, expr: string): boolean => {
  const f = fact(facts, expr);
  assert.equal(select(facts, expr), f, `-F and -S disagree on ${expr}`);
  return f;
};

test('== and != on strings', () => {
  assert.equal(both({ os: 'debian' }, 'os==debian'), true);
  assert.equal(both({ os: 'debian' }, 'os==redhat'), false);
  assert.equal(both({ os: 'debian' }, 'os!=redhat'), true);
  assert.equal(both({ os: 'debian' }, 'os!=debian'), false);
});

test('== and != are case-insensitive', () => {
  assert.equal(both({ os: 'Debian' }, 'os=DEBIAN'), true);
  assert.equal(both({ os: 'Debian' }, 'os!=debian'), false);
});

test('< > <= >= on numeric strings compare as numbers', () => {
  assert.equal(both({ n: '10' }, 'n>9'), true);
  assert.equal(both({ n: '10' }, 'n<9'), false);
  assert.equal(both({ n: '10' }, 'n>=10'), true);
  assert.equal(both({ n: '10' }, 'n<=10'), true);
  assert.equal(both({ n: '10' }, 'n<=9'), false);
  assert.equal(both({ n: '-5' }, 'n<-4'), true);
  assert.equal(both({ n: '2.5' }, 'n>2.25'), true);
});

test('JSON number facts compare numerically', () => {
  assert.equal(both({ cpus: 16 }, 'cpus>4'), true);
  assert.equal(both({ cpus: 16 }, 'cpus<4'), false);
  assert.equal(both({ cpus: 4 }, 'cpus>=4'), true);
  assert.equal(both({ cpus: 4 }, 'cpus<=3.5'), false);
  assert.equal(both({ load: 0.5 }, 'load<1'), true);
});

test('numeric equality ignores formatting', () => {
  assert.equal(both({ n: '10' }, 'n==10.0'), true);
  assert.equal(both({ n: '010' }, 'n=10'), true);
  assert.equal(both({ n: 10 }, 'n=10.0'), true);
  assert.equal(both({ n: '-0' }, 'n=0'), true);
});

test('long numeric strings are compared exactly, not as floats', () => {
  assert.equal(both({ serial: '12345678901234567890' }, 'serial=12345678901234567891'), false);
  assert.equal(both({ serial: '12345678901234567890' }, 'serial<12345678901234567891'), true);
});

test('non-numeric strings compare as strings', () => {
  assert.equal(both({ s: 'abc' }, 's<abd'), true);
  assert.equal(both({ s: 'abc' }, 's>abd'), false);
  assert.equal(both({ s: 'ABC' }, 's<abd'), true, 'ordering is case-insensitive');
  assert.equal(both({ s: 'b' }, 's>=B'), true);
});

test('string vs number mixes compare as strings', () => {
  assert.equal(both({ n: 'ten' }, 'n>9'), true, '"ten" > "9" as strings');
  assert.equal(both({ n: 4 }, 'n=four'), false);
});

test('version-like values: 1.10 vs 1.9 are decimals, 1.10.2 vs 1.9 are strings', () => {
  assert.equal(both({ v: '1.10' }, 'v>1.9'), false, '1.10 is the decimal 1.1');
  assert.equal(both({ v: '1.10' }, 'v<1.9'), true);
  assert.equal(both({ v: '1.10.2' }, 'v>1.9'), false, 'string compare: "1.10.2" < "1.9"');
  assert.equal(both({ v: '1.10.2' }, 'v<1.9.0'), true);
});

test('=~ is a case-insensitive, unanchored regex', () => {
  assert.equal(both({ host: 'Web01.example.com' }, 'host=/web\\d+/'), true);
  assert.equal(both({ host: 'Web01.example.com' }, 'host=~EXAMPLE'), true);
  assert.equal(both({ host: 'db01' }, 'host=/web/'), false);
  assert.equal(both({ host: 'web01' }, 'host=/^eb/'), false);
});

test('regex anchors \\A \\z \\Z work', () => {
  assert.equal(fact({ host: 'web01' }, 'host=/\\Aweb/'), true);
  assert.equal(fact({ host: 'xweb01' }, 'host=/\\Aweb/'), false);
  assert.equal(fact({ host: 'web01' }, 'host=/01\\z/'), true);
  assert.equal(fact({ host: 'web01x' }, 'host=/01\\z/'), false);
  assert.equal(fact({ host: 'web01\n' }, 'host=/01\\Z/'), true);
  assert.equal(fact({ host: 'web01\n' }, 'host=/01\\z/'), false);
  assert.equal(fact({ host: 'a\\Ab' }, 'host=/a\\\\Ab/'), true, 'an escaped backslash is not an anchor');
});

test('regex applies to the text of numbers and booleans', () => {
  assert.equal(fact({ n: 1024 }, 'n=/^10/'), true);
  assert.equal(fact({ b: true }, 'b=/^tr/'), true);
});

test('an invalid regex on the wire never matches (no throw)', () => {
  const filter = emptyFilter();
  filter.fact.push({ fact: 'host', operator: '=~', value: 'web(' });
  assert.equal(matchFilter(filter, { identity: 'n', facts: { host: 'web(' }, classes: [], agents: [] }), false);
});

test('legacy => and =< compare as >= and <=', () => {
  assert.equal(fact({ cpus: 4 }, 'cpus=>4'), true);
  assert.equal(fact({ cpus: 3 }, 'cpus=>4'), false);
  assert.equal(fact({ cpus: 4 }, 'cpus=<4'), true);
  assert.equal(fact({ cpus: 5 }, 'cpus=<4'), false);
});

test('a missing fact never matches, with any operator including !=', () => {
  for (const expr of ['x==1', 'x!=1', 'x<1', 'x>1', 'x<=1', 'x>=1', 'x=~/./', 'x=/.*/', 'a.b.c!=1', 'arr.5!=1']) {
    assert.equal(both({ a: { b: 1 }, arr: [1] }, expr), false, expr);
  }
});

test('null-valued and object-valued facts never match, with any operator', () => {
  for (const op of ['==', '!=', '<', '>', '<=', '>=']) {
    assert.equal(both({ x: null }, `x${op}null`), false, `null ${op}`);
    assert.equal(both({ x: { a: 1 } }, `x${op}a`), false, `object ${op}`);
  }
  assert.equal(both({ x: null }, 'x=/./'), false);
  assert.equal(both({ x: { a: 1 } }, 'x=/a/'), false);
});

test('array facts: any element matches for ==, <, >, =~', () => {
  const facts = { roles: ['web', 'DB'], ports: [22, 443] };
  assert.equal(both(facts, 'roles=db'), true);
  assert.equal(both(facts, 'roles=cache'), false);
  assert.equal(both(facts, 'ports>400'), true);
  assert.equal(both(facts, 'ports>500'), false);
  assert.equal(both(facts, 'ports<=22'), true);
  assert.equal(both(facts, 'roles=/^w/'), true);
  assert.equal(both(facts, 'roles=/^x/'), false);
});

test('array facts: != matches only when no element equals the value', () => {
  const facts = { roles: ['web', 'db'] };
  assert.equal(both(facts, 'roles!=web'), false, 'web is an element');
  assert.equal(both(facts, 'roles!=WEB'), false, 'case-insensitively');
  assert.equal(both(facts, 'roles!=cache'), true);
  assert.equal(both({ roles: [] }, 'roles!=cache'), true, 'an empty array has no equal element');
  assert.equal(both({ roles: [] }, 'roles=cache'), false);
});

test('nested facts are addressed with dotted names', () => {
  const facts = { os: { family: 'Debian', release: { major: '12' } } };
  assert.equal(both(facts, 'os.family=debian'), true);
  assert.equal(both(facts, 'os.release.major>=12'), true);
  assert.equal(both(facts, 'os.release.minor>=0'), false);
  assert.equal(both(facts, 'os.family.x=1'), false, 'walking into a string finds nothing');
});

test('numeric path segments index arrays', () => {
  const facts = { networking: { interfaces: [{ name: 'eth0' }, { name: 'eth1' }] } };
  assert.equal(both(facts, 'networking.interfaces.1.name=eth1'), true);
  assert.equal(both(facts, 'networking.interfaces.0.name=eth1'), false);
  assert.equal(both(facts, 'networking.interfaces.2.name!=x'), false, 'out of range is missing');
  assert.equal(both(facts, 'networking.interfaces.01.name=eth1'), false, 'not a canonical index');
});

test('a literal top-level dotted key wins over the nested path', () => {
  const facts = { 'os.family': 'flat', os: { family: 'nested' } };
  assert.equal(both(facts, 'os.family=flat'), true);
  assert.equal(both(facts, 'os.family=nested'), false);
  assert.equal(both({ os: { family: 'nested' } }, 'os.family=nested'), true);
});

test('inherited object properties are not facts', () => {
  assert.equal(both({}, 'constructor!=x'), false);
  assert.equal(both({ a: {} }, 'a.toString!=x'), false);
});

test('booleans match true/false case-insensitively with == and !=', () => {
  assert.equal(both({ virtual: true }, 'virtual=true'), true);
  assert.equal(both({ virtual: true }, 'virtual=TRUE'), true);
  assert.equal(both({ virtual: true }, 'virtual=false'), false);
  assert.equal(both({ virtual: false }, 'virtual!=true'), true);
  assert.equal(both({ virtual: false }, 'virtual!=False'), false);
});

test('ordering operators on booleans never match', () => {
  for (const op of ['<', '>', '<=', '>=']) {
    assert.equal(both({ b: true }, `b${op}true`), false, op);
    assert.equal(both({ b: false }, `b${op}true`), false, op);
  }
});

test('several -F terms are ANDed', () => {
  const filter = emptyFilter();
  filter.fact.push(parseFactExpression('os=debian'), parseFactExpression('cpus>2'));
  const view = (facts: Facts) => ({ identity: 'n', facts, classes: [], agents: [] });
  assert.equal(matchFilter(filter, view({ os: 'debian', cpus: 4 })), true);
  assert.equal(matchFilter(filter, view({ os: 'debian', cpus: 1 })), false);
  assert.equal(matchFilter(filter, view({ os: 'redhat', cpus: 4 })), false);
});
