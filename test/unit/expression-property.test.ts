// Property tests for the expression language (fast-check, fixed seed; set
// COHORT_PROPERTY_SEED to explore): random strings and token soups make the
// parser and the evaluator fail only with ExpressionError (never TypeError,
// RangeError or a stack overflow, never a hang: the test has a deadline), with
// a position inside the input; arithmetic agrees with JavaScript's on numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, ExpressionError, parseExpression, parseTemplate, renderTemplate, type Scope } from '@cohort/core';

const seed = Number(process.env['COHORT_PROPERTY_SEED'] ?? 20261206);
const runs = { seed, numRuns: 1500 };
const deadline = { timeout: 120_000 };

const scope: Scope = {
  lookup: (n) => ({ 'load.load1': 1.5, crit: 4, name: 'web1', 'disk./.used_pct': 50 } as Record<string, number | string>)[n],
  functions: { fact: () => 'Debian', grep: () => false },
};

async function onlyExpressionErrors(input: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw new Error(`${JSON.stringify(input)} threw ${String(err)} instead of an ExpressionError`);
    assert.ok(err.position >= 0 && err.position <= Math.max(input.length, 4096), `position ${err.position} outside ${JSON.stringify(input)}`);
    assert.ok(err.message.includes('in expression'), err.message);
  }
}

const pieces = [
  'and', 'or', 'not', '!', '(', ')', '[', ']', ' ', ' ', 'load.load1', 'crit', 'name', 'disk', "['/']", '.used_pct', '.', ',', '?', ':',
  '==', '!=', '<', '>', '<=', '>=', '=~', '!~', '+', '-', '*', '/', '%', '&&', '||', "'", '"', "'web'", '"(a+)+$"', '1', '0', '-1.5', '1e308',
  'max(', 'min(', 'abs(', 'round(', 'exists(', "fact('os')", "grep('x', '/etc/hosts')", 'constructor', '__proto__', 'toString(', 'true', 'null',
  '\\', '\n', '{{', '}}', 'и', '😀', '\u0000',
];
const soup = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((parts) => parts.join(''));

test('random text: parse and evaluate fail only with ExpressionError', deadline, async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string({ maxLength: 80 }), soup), async (input) => {
      await onlyExpressionErrors(input, async () => evaluate(parseExpression(input), scope));
    }),
    runs,
  );
});

test('random templates: only ExpressionError', deadline, async () => {
  await fc.assert(
    fc.asyncProperty(soup, async (input) => {
      await onlyExpressionErrors(input, async () => renderTemplate(parseTemplate(input), scope));
    }),
    runs,
  );
});

test('arithmetic and comparisons agree with JavaScript on numbers', deadline, async () => {
  const num = fc.double({ noNaN: true, min: -1e6, max: 1e6 });
  await fc.assert(
    fc.asyncProperty(num, num, num, async (a, b, c) => {
      const lit = (x: number) => `(${x < 0 || Object.is(x, -0) ? `-${-x}` : x})`;
      assert.equal(await evaluate(parseExpression(`${lit(a)} + ${lit(b)} * ${lit(c)}`), scope), a + b * c);
      assert.equal(await evaluate(parseExpression(`${lit(a)} - ${lit(b)} - ${lit(c)}`), scope), a - b - c);
      assert.equal(await evaluate(parseExpression(`${lit(a)} < ${lit(b)} && ${lit(b)} <= ${lit(c)}`), scope), a < b && b <= c);
      assert.equal(await evaluate(parseExpression(`max(${lit(a)}, ${lit(b)}) == ${lit(Math.max(a, b))}`), scope), true);
    }),
    runs,
  );
});
