// Reply filters (`cohort rpc --filter-replies`): parsing with positions, the
// missing-output and type-mismatch rules, arrays, regexes, and/or/not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateReplyFilter, FilterSyntaxError, parseReplyFilter, type DeclaredOutputs, type ReplyFields } from '@cohort/core';

function reply(data: Record<string, unknown>, fields: Partial<ReplyFields> = {}): ReplyFields {
  return { sender: 'web1', statuscode: 0, statusmsg: 'OK', data, ...fields };
}

function keeps(expr: string, r: ReplyFields, outputs?: DeclaredOutputs): boolean {
  return evaluateReplyFilter(parseReplyFilter(expr, outputs), r);
}

function syntaxError(expr: string, outputs?: DeclaredOutputs): FilterSyntaxError {
  try {
    parseReplyFilter(expr, outputs);
  } catch (err) {
    assert.ok(err instanceof FilterSyntaxError, `expected FilterSyntaxError for ${expr}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(expr)} not to parse`);
}

function pointsAt(expr: string, at: number, length: number, message: RegExp, outputs?: DeclaredOutputs): void {
  const err = syntaxError(expr, outputs);
  assert.equal(err.position, at, `position for ${expr}: ${err.message}`);
  assert.equal(err.length, length, `length for ${expr}: ${err.message}`);
  assert.match(err.message, message);
}

test('numeric comparisons on outputs', () => {
  assert.equal(keeps('data.exitcode > 0', reply({ exitcode: 2 })), true);
  assert.equal(keeps('data.exitcode > 0', reply({ exitcode: 0 })), false);
  assert.equal(keeps('data.exitcode >= 2', reply({ exitcode: 2 })), true);
  assert.equal(keeps('data.exitcode == 2', reply({ exitcode: 2 })), true);
  assert.equal(keeps('data.exitcode != 2', reply({ exitcode: 1 })), true);
  assert.equal(keeps('data.load < 1.5', reply({ load: 0.75 })), true);
  // A string that looks like a number is a number.
  assert.equal(keeps('data.release > 10', reply({ release: '12.5' })), true);
  assert.equal(keeps('data.release > 10', reply({ release: '9.3' })), false);
});

test('statuscode, sender and statusmsg', () => {
  assert.equal(keeps('statuscode == 0', reply({})), true);
  assert.equal(keeps('statuscode != 0', reply({}, { statuscode: 1 })), true);
  assert.equal(keeps('sender =~ /^web/', reply({})), true);
  assert.equal(keeps('sender == db1', reply({})), false);
  assert.equal(keeps("statusmsg =~ 'timed out'", reply({}, { statusmsg: 'action timed out after 2 s' })), true);
});

test('regexes: =~ and != /re/, case-insensitive and unanchored, on text of strings and numbers', () => {
  assert.equal(keeps('data.value =~ /^7\\./', reply({ value: '7.4.1' })), true);
  assert.equal(keeps('data.value =~ /^7\\./', reply({ value: '17.4' })), false);
  assert.equal(keeps('data.value != /^7\\./', reply({ value: '8.0' })), true);
  assert.equal(keeps('data.value != /^7\\./', reply({ value: '7.0' })), false);
  assert.equal(keeps('data.os =~ debian', reply({ os: 'Debian GNU/Linux' })), true);
  assert.equal(keeps('data.cpus =~ /^1/', reply({ cpus: 16 })), true);
});

test('a missing output makes every comparison false, != included (Choria #1297)', () => {
  const r = reply({ other: 1 });
  for (const expr of ['data.exitcode > 0', 'data.exitcode < 0', 'data.exitcode == 0', 'data.exitcode != 0', 'data.exitcode =~ /./', 'data.exitcode != /x/']) {
    assert.equal(keeps(expr, r), false, expr);
  }
  // null is missing too
  assert.equal(keeps('data.exitcode != 0', reply({ exitcode: null })), false);
  // a missing nested path
  assert.equal(keeps('data.times.user > 0', reply({ times: {} })), false);
  assert.equal(keeps('data.times.user > 0', reply({ times: 'none' })), false);
  // `not` is the explicit complement
  assert.equal(keeps('not data.exitcode == 0', r), true);
});

test('== null / != null test whether an output is missing', () => {
  assert.equal(keeps('data.exitcode == null', reply({})), true);
  assert.equal(keeps('data.exitcode == null', reply({ exitcode: null })), true);
  assert.equal(keeps('data.exitcode == null', reply({ exitcode: 0 })), false);
  assert.equal(keeps('data.exitcode != null', reply({ exitcode: 0 })), true);
  assert.equal(keeps('data.exitcode != null', reply({})), false);
  // quoted 'null' is the string
  assert.equal(keeps("data.name == 'null'", reply({ name: 'null' })), true);
  assert.equal(keeps("data.name == 'null'", reply({})), false);
  pointsAt('data.x > null', 7, 1, /null can only be compared with == or !=/);
});

test('mismatched types are false whatever the operator', () => {
  // A string output against a number: not compared as text ("web" > "5" would be true).
  for (const expr of ['data.value > 5', 'data.value < 5', 'data.value == 5', 'data.value != 5']) assert.equal(keeps(expr, reply({ value: 'web' })), false, expr);
  // A number against a word.
  for (const expr of ['data.value > abc', 'data.value == abc', 'data.value != abc']) assert.equal(keeps(expr, reply({ value: 4 })), false, expr);
  // A boolean against anything but true/false, and ordering on booleans.
  assert.equal(keeps('data.ok == true', reply({ ok: true })), true);
  assert.equal(keeps('data.ok != TRUE', reply({ ok: false })), true);
  assert.equal(keeps('data.ok == 1', reply({ ok: true })), false);
  assert.equal(keeps('data.ok != 1', reply({ ok: true })), false);
  assert.equal(keeps('data.ok > false', reply({ ok: true })), false);
  // Objects compare with nothing.
  assert.equal(keeps('data.times == 1', reply({ times: { user: 1 } })), false);
  assert.equal(keeps('data.times != 1', reply({ times: { user: 1 } })), false);
  // A numeric-looking string against a word.
  assert.equal(keeps('data.release != abc', reply({ release: '12.5' })), false);
});

test('strings compare case-insensitively, as discovery filters do', () => {
  assert.equal(keeps('data.os == debian', reply({ os: 'Debian' })), true);
  assert.equal(keeps("data.msg == 'hello world'", reply({ msg: 'Hello World' })), true);
  assert.equal(keeps('data.os != redhat', reply({ os: 'Debian' })), true);
});

test('arrays: any element satisfies; != means no element equals', () => {
  const r = reply({ tags: ['prod', 'frontend'], sizes: [1, 20] });
  assert.equal(keeps('data.tags == prod', r), true);
  assert.equal(keeps('data.tags != prod', r), false);
  assert.equal(keeps('data.tags != staging', r), true);
  assert.equal(keeps('data.tags =~ /^front/', r), true);
  assert.equal(keeps('data.sizes > 10', r), true);
  assert.equal(keeps('data.sizes > 30', r), false);
  assert.equal(keeps('data.tags.1 == frontend', r), true);
});

test('and, or, not, ! and parentheses with -S precedence', () => {
  const r = reply({ exitcode: 2, output: 'DISK CRITICAL' });
  assert.equal(keeps('data.exitcode == 2 and data.output =~ /disk/', r), true);
  assert.equal(keeps('data.exitcode == 1 or data.output =~ /disk/', r), true);
  assert.equal(keeps('data.exitcode == 1 or data.exitcode == 3 and statuscode == 0', r), false);
  assert.equal(keeps('(data.exitcode == 2 or data.exitcode == 3) and statuscode == 0', r), true);
  assert.equal(keeps('not statuscode == 0', r), false);
  assert.equal(keeps('!(data.exitcode == 2)', r), false);
  assert.equal(keeps('data.exitcode>1 and sender=web1', r), true);
});

test('syntax errors point at the offending characters', () => {
  pointsAt('', 0, 1, /empty reply filter/);
  pointsAt('data.x > 1 and', 11, 3, /must be followed by a statement/);
  pointsAt('exitcode > 0', 0, 8, /unknown field "exitcode": compare statuscode, sender, statusmsg or data\.<output>/);
  pointsAt('data. > 0', 0, 5, /unknown field/);
  pointsAt('data.x', 0, 6, /expected a comparison/);
  pointsAt('data.x > 1 or data.y', 14, 6, /expected a comparison/);
  pointsAt('data.x =~ /(/', 11, 1, /invalid regular expression/);
  pointsAt('data.x > ', 7, 1, /missing value after ">"/);
  pointsAt('statuscode > ok', 13, 2, /statuscode is an integer: compare it with a number/);
  pointsAt('(data.x == 1', 0, 1, /unclosed "\("/);
});

test('with the DDL outputs: unknown outputs and literals of the wrong type are errors', () => {
  const outputs: DeclaredOutputs = { exitcode: { type: 'integer' }, output: { type: 'string' }, ok: { type: 'boolean' }, perf: { type: 'hash' }, value: {} };
  pointsAt('data.exitcod > 0', 5, 7, /the action has no output "exitcod": its outputs are data\.exitcode, data\.output, data\.ok, data\.perf, data\.value/, outputs);
  pointsAt('data.exitcode > abc', 16, 3, /data\.exitcode is an integer: compare it with a number, not "abc"/, outputs);
  pointsAt('data.ok == yes', 11, 3, /data\.ok is a boolean: compare it with true or false/, outputs);
  pointsAt('data.ok > true', 10, 4, /only == and != apply/, outputs);
  pointsAt('data.perf == 1', 13, 1, /data\.perf is a hash: compare one of its fields/, outputs);
  pointsAt('data.x == 1', 5, 1, /no output "x"/, {});
  pointsAt('data.x == 1', 5, 1, /it declares no outputs/, {});
  // Accepted: regexes on numbers, untyped outputs, fields inside a hash, null tests.
  for (const expr of ['data.exitcode =~ /^2/', 'data.value > abc', 'data.perf.load > 1', 'data.exitcode == null', 'data.output > 5']) {
    assert.doesNotThrow(() => parseReplyFilter(expr, outputs), expr);
  }
});
