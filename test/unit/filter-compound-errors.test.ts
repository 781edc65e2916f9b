import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterSyntaxError, parseCompound } from '@cohort/core';

function syntaxError(expr: string): FilterSyntaxError {
  try {
    parseCompound(expr);
  } catch (err) {
    assert.ok(err instanceof FilterSyntaxError, `expected FilterSyntaxError for ${expr}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(expr)} not to parse`);
}

/** The error for `expr` points at `at` with `length` and its message matches `message`. */
function pointsAt(expr: string, at: number, length: number, message: RegExp): void {
  const err = syntaxError(expr);
  assert.equal(err.position, at, `position for ${expr}: ${err.message}`);
  assert.equal(err.length, length, `length for ${expr}: ${err.message}`);
  assert.match(err.message, message);
  assert.equal(err.input, expr);
}

test('empty expression', () => {
  pointsAt('', 0, 1, /empty compound expression/);
  pointsAt('   ', 0, 1, /empty compound expression/);
});

test('operator at the start', () => {
  pointsAt('and a', 0, 3, /"and" at the start/);
  pointsAt('or a', 0, 2, /"or" at the start/);
});

test('operator at the end', () => {
  pointsAt('a and', 2, 3, /"and" must be followed by a statement/);
  pointsAt('a or ', 2, 2, /"or" must be followed by a statement/);
  pointsAt('a and not', 6, 3, /"not" must be followed by a statement/);
  pointsAt('a and !', 6, 1, /"!" must be followed by a statement/);
});

test('two operators in a row', () => {
  pointsAt('a and or b', 6, 2, /"or" cannot follow "and"/);
  pointsAt('a or and b', 5, 3, /"and" cannot follow "or"/);
  pointsAt('not and a', 4, 3, /"and" cannot follow "not"/);
});

test('statement followed by something other than and/or/)', () => {
  pointsAt('a b', 2, 1, /expected "and", "or" or "\)" after a statement, found "b"/);
  pointsAt('a not b', 2, 3, /found "not"/);
  pointsAt('a (b)', 2, 1, /found "\("/);
  pointsAt('(a b)', 3, 1, /found "b"/);
  pointsAt('os=debian apache', 10, 6, /found "apache"/);
});

test('unbalanced parentheses', () => {
  pointsAt('(a and b', 0, 1, /unclosed "\("/);
  pointsAt('a and (b or (c)', 6, 1, /unclosed "\("/);
  pointsAt('a)', 1, 1, /unbalanced "\)"/);
  pointsAt('(a))', 3, 1, /unbalanced "\)"/);
  pointsAt(')', 0, 1, /expected a statement before "\)"/);
  pointsAt('()', 0, 2, /empty parentheses/);
  pointsAt('a and ()', 6, 2, /empty parentheses/);
  pointsAt('(a and)', 3, 3, /"and" must be followed by a statement/);
});

test('unterminated quote and regex', () => {
  pointsAt("motd='hello", 5, 6, /unterminated quote/);
  pointsAt('a and "x', 6, 2, /unterminated quote/);
  pointsAt('/web and x', 0, 10, /unterminated regular expression/);
  pointsAt('os=/deb', 3, 4, /unterminated regular expression/);
});

test('malformed statements', () => {
  pointsAt('=debian', 0, 1, /missing fact name/);
  pointsAt('!=debian', 0, 2, /missing fact name/);
  pointsAt('os=', 2, 1, /missing value after "="/);
  pointsAt('os = and x', 3, 1, /missing value after "="/);
  pointsAt('os>/deb/', 2, 1, /a \/regex\/ value needs/);
  pointsAt('os=/deb(/', 4, 4, /invalid regular expression/);
  pointsAt('/web(/', 1, 4, /invalid regular expression/);
  pointsAt('/web/x', 5, 1, /unexpected text after a class \/regex\//);
  pointsAt("'a'b", 3, 1, /unexpected text after a quoted class name/);
  pointsAt("os='a'b", 6, 1, /unexpected text after a quoted value/);
  pointsAt('a!b', 1, 1, /unexpected "!"/);
});

test('data functions: unknown names and fields are errors at parse time', () => {
  pointsAt("agent('x').version=1", 0, 5, /unknown data function "agent"/);
  pointsAt("fstat('/x').owner=root", 12, 5, /fstat\(\) has no field "owner"/);
  pointsAt("fact('x').val=1", 10, 3, /fact\(\) has no field "val"/);
  pointsAt("fstat('/x')=1", 11, 1, /fstat\(\) needs a field/);
  pointsAt("fstat('/x').=1", 11, 1, /missing field name/);
});

test('data functions: malformed calls', () => {
  pointsAt('fstat(/etc/hosts).size=1', 6, 1, /must be quoted/);
  pointsAt("fstat('').size=1", 6, 2, /empty argument/);
  pointsAt("fstat('/x' x).size=1", 11, 1, /expected "\)" after the argument/);
  pointsAt("fstat('/x'.size=1", 5, 12, /unclosed '\('/);
  pointsAt("fstat('/x).size=1", 6, 11, /unterminated quote/);
  pointsAt("fstat('/x').size", 0, 16, /needs a comparison/);
  pointsAt("fstat('/x').size!", 16, 1, /expected a comparison operator/);
  pointsAt("fact('x')", 0, 9, /needs a comparison/);
});

test('data functions: typed fields check their comparison', () => {
  pointsAt("fstat('/x').size>big", 17, 3, /must be compared with a number/);
  pointsAt("fstat('/x').size=/1/", 16, 1, /cannot be matched with a regex/);
  pointsAt("fstat('/x').present>true", 19, 1, /only be compared with == or !=/);
  pointsAt("fstat('/x').present=yes", 20, 3, /only be compared with true or false/);
  pointsAt("fact('x').exists=/t/", 16, 1, /only be compared with == or !=/);
});

test('nesting is bounded', () => {
  const deep = `${'('.repeat(200)}a${')'.repeat(200)}`;
  assert.match(syntaxError(deep).message, /nested more than/);
  assert.match(syntaxError(`${'not '.repeat(200)}a`).message, /nested more than/);
  assert.equal(parseCompound(`${'('.repeat(20)}a${')'.repeat(20)}`).kind, 'class');
  assert.equal(parseCompound(Array.from({ length: 5000 }, (_, i) => `c${i}`).join(' or ')).kind, 'or', 'long flat chains are fine');
});

test('pointer() draws a caret under the offending token', () => {
  assert.equal(syntaxError('a and or b').pointer(), 'a and or b\n      ^^');
});

test('randomized: parseCompound returns or throws FilterSyntaxError, never anything else', () => {
  const alphabet = ['a', 'b', 'x1', '.', ' ', ' ', '(', ')', '!', '=', '<', '>', '~', '/', "'", '"', '\\', '[', ']', '*',
    'and ', 'or ', 'not ', 'and', 'fstat(', 'fact(', "'/tmp'", ').size', '.value', '.present', '0', '-', '\t'];
  // A fixed-seed generator keeps failures reproducible.
  let seed = 20240611;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  let parsed = 0;
  let rejected = 0;
  for (let n = 0; n < 2000; n++) {
    let expr = '';
    const length = next(16);
    for (let i = 0; i < length; i++) expr += alphabet[next(alphabet.length)];
    try {
      assert.equal(typeof parseCompound(expr).kind, 'string');
      parsed++;
    } catch (err) {
      assert.ok(err instanceof FilterSyntaxError, `${JSON.stringify(expr)} threw ${String(err)}`);
      assert.ok(err.position >= 0 && err.position <= expr.length, `${JSON.stringify(expr)}: position ${err.position}`);
      assert.ok(err.position + err.length <= expr.length + 1, `${JSON.stringify(expr)}: length ${err.length}`);
      rejected++;
    }
  }
  assert.ok(parsed > 20 && rejected > 20, `both outcomes exercised (${parsed} parsed, ${rejected} rejected)`);
});
