// The check/detector expression language: parsing, evaluation, templates,
// error messages with positions, and hostile input (never JavaScript, bounded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, ExpressionError, parseExpression, parseTemplate, renderTemplate, type Scope, type Value } from '@cohort/core';

const values: Record<string, Value> = { 'load.load1': 3.5, crit: 4, warn: 2, 'disk./.used_pct': 91.25, name: 'web1', 'net.eth0.rx_bytes': 100 };
const scope: Scope = {
  lookup: (n) => (Object.hasOwn(values, n) ? values[n] : undefined),
  functions: { fact: ([p]) => (p === 'os.family' ? 'Debian' : null), slow: async () => 7 },
};
const run = (src: string, s: Scope = scope) => evaluate(parseExpression(src), s);

async function rejects(src: string, pattern: RegExp, position?: number): Promise<void> {
  await assert.rejects(
    async () => run(src),
    (err: unknown) => {
      assert.ok(err instanceof ExpressionError, `not an ExpressionError: ${String(err)}`);
      assert.match(err.message, pattern);
      assert.ok(err.message.includes(`in expression '${src.slice(0, 200)}`), err.message);
      if (position !== undefined) assert.equal(err.position, position, err.message);
      return true;
    },
  );
}

test('arithmetic, comparison, logic and precedence', async () => {
  assert.equal(await run('1 + 2 * 3'), 7);
  assert.equal(await run('(1 + 2) * 3'), 9);
  assert.equal(await run('-2 * -3'), 6);
  assert.equal(await run('7 % 4 - 10 / 4'), 0.5);
  assert.equal(await run('1e3 + .5'), 1000.5);
  assert.equal(await run('load.load1 > crit'), false);
  assert.equal(await run('load.load1 > warn && load.load1 <= crit'), true);
  assert.equal(await run('load.load1 > crit or not (warn > 1)'), false);
  assert.equal(await run("name == 'web1' and !false"), true);
  assert.equal(await run('true ? 1 : 2'), 1);
  assert.equal(await run('crit > 5 ? "big" : warn > 1 ? "mid" : "small"'), 'mid');
  assert.equal(await run("'a' + 'b' == 'ab'"), true);
  assert.equal(await run("'abc' < 'abd'"), true);
  assert.equal(await run('null == null'), true);
});

test('dotted and bracketed names, functions', async () => {
  assert.equal(await run("disk['/'].used_pct > 90"), true);
  assert.equal(await run('net.eth0.rx_bytes'), 100);
  assert.equal(await run('max(1, crit, 3) + min(5, 2) + abs(-1)'), 7);
  assert.equal(await run('round(load.load1 / 3, 2)'), 1.17);
  assert.equal(await run('exists(crit) && !exists(nope.nothing)'), true);
  assert.equal(await run('exists(fact("os.family"))'), true);
  assert.equal(await run("fact('os.family') =~ '^deb'"), true);
  assert.equal(await run("fact('os.family') !~ 'red'"), true);
  assert.equal(await run('slow() == 7'), true);
  assert.equal(await run("contains('centos linux', 'linux')"), true);
  assert.equal(await run("number('42') + 1"), 43);
  assert.deepEqual(parseExpression("load.load1 > crit && disk['/'].used_pct > warn").names, ['load.load1', 'crit', 'disk./.used_pct', 'warn']);
});

test('errors name the expression and the position', async () => {
  await rejects('load.load1 > critt', /unknown name 'critt' at position 13/, 13);
  await rejects('1 +', /expected a value but found end of expression at position 3/, 3);
  await rejects('(1 + 2', /expected '\)' but found end of expression/);
  await rejects('1 < 2 < 3', /comparisons do not chain/, 6);
  await rejects("'a' > 1", /cannot compare string 'a' with number 1 using '>'/, 4);
  await rejects('1 / 0', /division by zero/);
  await rejects('nosuch(1)', /unknown function 'nosuch' \(known: .*grep|unknown function 'nosuch'/);
  await rejects("'unterminated", /unterminated string at position 0/, 0);
  await rejects('a # b', /unexpected character '#' at position 2/, 2);
  await rejects('round(1, 99)', /round\(\): digits must be an integer from 0 to 15/);
  await rejects("'x' =~ '('", /bad regular expression/);
  await rejects('1 2', /unexpected '2' at position 2/);
  await rejects('max()', /max\(\) takes at least 1/);
  await rejects("fact('a') + 1", /'\+' needs numbers/);
});

test('hostile input: no JavaScript, no prototype walking, bounded size and depth', async () => {
  // None of these reach JavaScript: they are unknown names or functions of the language.
  await rejects('constructor', /unknown name 'constructor'/);
  await rejects('__proto__', /unknown name '__proto__'/);
  await rejects("constructor.constructor('return process')()", /unexpected '\('|unknown/);
  await rejects('toString()', /unknown function 'toString'/);
  await rejects('hasOwnProperty("x")', /unknown function 'hasOwnProperty'/);
  await rejects('process.exit(1)', /unexpected '\('|unknown/);
  await rejects('require("fs")', /unknown function 'require'/);
  await rejects('eval("1")', /unknown function 'eval'/);
  await rejects('a = 1', /unexpected character '='/);
  await rejects('`x`', /unexpected character '`'/);
  await rejects('"\\u0041"', /unknown escape/);
  // Depth and size limits fail cleanly rather than overflowing the stack.
  await rejects('('.repeat(10_000) + '1' + ')'.repeat(10_000), /longer than 4096 characters/);
  await rejects('('.repeat(100) + '1' + ')'.repeat(100), /nested deeper than 64 levels/);
  await rejects('-'.repeat(100) + '1', /nested deeper than 64 levels/);
  await rejects('!'.repeat(100) + '1', /nested deeper than 64 levels/);
  await rejects(Array.from({ length: 1200 }, () => '1').join('+'), /more than 1000 terms/);
  // A catastrophic-backtracking regex runs in linear time (RE2).
  assert.equal(await run(`'${'a'.repeat(3000)}!' =~ '^(a+)+$'`), false);
  // Strings cannot grow without bound.
  const big = 'x'.repeat(2000);
  assert.equal(typeof (await run(`'${big}' + '${big}'`)), 'string');
  // A host function throwing becomes an ExpressionError naming the function.
  const s: Scope = { lookup: () => undefined, functions: { grep: () => { throw new Error("'/etc/shadow' is outside the allowed directories"); } } };
  await assert.rejects(evaluate(parseExpression("grep('root', '/etc/shadow')"), s), /grep\(\): '\/etc\/shadow' is outside the allowed directories at position 0/);
});

test('templates fill {{ }} holes and position errors in the whole template', async () => {
  const t = parseTemplate('load is {{ load.load1 }} (crit {{ crit }}, {{ round(disk["/"].used_pct, 1) }}%)');
  assert.deepEqual(t.names, ['load.load1', 'crit', 'disk./.used_pct']);
  assert.equal(await renderTemplate(t, scope), 'load is 3.5 (crit 4, 91.3%)');
  assert.equal(await renderTemplate(parseTemplate('plain text'), scope), 'plain text');
  assert.equal(await renderTemplate(parseTemplate('{{ 2 / 3 }}'), scope), '0.67');
  assert.throws(() => parseTemplate('x {{ 1 + }}'), (err: unknown) => err instanceof ExpressionError && err.position === 9 && /in expression 'x \{\{ 1 \+ \}\}'/.test(err.message));
  assert.throws(() => parseTemplate('x {{ 1'), /'\{\{' without a closing '\}\}' at position 2/);
  await assert.rejects(renderTemplate(parseTemplate('a {{ nope }}'), scope), (err: unknown) => err instanceof ExpressionError && err.position === 5);
});
