// Property tests for the filter language (fast-check, fixed seed; set
// COHORT_PROPERTY_SEED to explore, the seed is in every failure message):
// random strings and token soups make the parsers fail only with their own
// FilterSyntaxError (never TypeError/RangeError, never a hang: the test has a
// deadline), what buildFilter accepts the node-side matcher evaluates, and
// printing a parsed expression and parsing it again gives the same expression.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFilter, emptyFilter, FilterSyntaxError, matchFilter, parseCompound, parseFactExpression, parseWithToken, type FactFilter, type NodeView } from '@cohort/core';

const seed = Number(process.env['COHORT_PROPERTY_SEED'] ?? 20261122);
const runs = { seed, numRuns: 2000 };
const deadline = { timeout: 120_000 };

/** Run `fn`; anything thrown must be a FilterSyntaxError with a position inside the input. */
function onlySyntaxErrors(input: string, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof FilterSyntaxError)) throw new Error(`${JSON.stringify(input)} threw ${String(err)} instead of a FilterSyntaxError`);
    assert.ok(err.position >= 0 && err.position <= input.length, `position ${err.position} outside ${JSON.stringify(input)}`);
  }
}

const pieces = [
  'and', 'or', 'not', '!', '(', ')', ' ', ' ', ' ', 'role', 'web', 'os.family', '=', '==', '!=', '<', '>', '<=', '>=', '=~', '=>', '=<',
  "'", '"', '/', '/web/', '/[/', '/(a+)+$/', "fstat('/etc/hosts')", 'fstat(', "fact('os.family')", '.size', '.value', '.present', '.nope', 'true',
  '5', '-1.5', 'debian', "'quoted value'", '\\', '\t', '\n', '.', '*', '(?i)', 'и', '😀', '\u0000',
];
/** Strings made of grammar pieces: far more likely than random text to get deep into the parsers. */
const tokenSoup = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((xs) => xs.join(''));
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), tokenSoup);

const node: NodeView = {
  identity: 'web1',
  facts: { role: 'web', os: { family: 'debian' }, cpus: 8 },
  classes: ['base', 'web'],
  agents: ['rpcutil'],
  data: (name, arg) => (name === 'fact' ? { value: arg === 'os.family' ? 'debian' : undefined, exists: arg === 'os.family' } : { present: false }),
};

test('compound, fact and -W parsers fail only with FilterSyntaxError on random input', deadline, () => {
  fc.assert(
    fc.property(anyText, (input) => {
      onlySyntaxErrors(input, () => parseCompound(input));
      onlySyntaxErrors(input, () => parseFactExpression(input));
      onlySyntaxErrors(input, () => parseWithToken(input));
    }),
    runs,
  );
});

test('buildFilter fails only with FilterSyntaxError, and what it builds the node matches without throwing', deadline, () => {
  const flag = fc.array(anyText, { maxLength: 2 });
  fc.assert(
    fc.property(fc.record({ fact: flag, cls: flag, identity: flag, agent: flag, with: flag, select: flag }), (spec) => {
      let filter;
      try {
        filter = buildFilter(spec);
      } catch (err) {
        if (!(err instanceof FilterSyntaxError)) throw new Error(`${JSON.stringify(spec)} threw ${String(err)}`);
        return;
      }
      assert.equal(typeof matchFilter(filter, node), 'boolean');
    }),
    runs,
  );
});

/** Print a fact filter back as an -F expression (spaces around the operator keep `a < =x` apart from `a <= x`). */
function printFact(f: FactFilter): string {
  return f.operator === '=~' ? `${f.fact} =~ /${f.value}/` : `${f.fact} ${f.operator} ${f.value}`;
}

test('fact expressions round-trip: parse, print, parse gives the same filter', deadline, () => {
  const expr = fc.oneof(anyText, fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_.]{0,12}$/), fc.constantFrom(...pieces.slice(11, 22)), anyText).map(([a, o, v]) => `${a}${o}${v}`));
  fc.assert(
    fc.property(expr, (input) => {
      let parsed: FactFilter;
      try {
        parsed = parseFactExpression(input);
      } catch (err) {
        if (err instanceof FilterSyntaxError) return;
        throw err;
      }
      assert.deepEqual(parseFactExpression(printFact(parsed)), parsed, `printed as ${JSON.stringify(printFact(parsed))}`);
    }),
    runs,
  );
});

// The compound tree as the parser builds it (the public type is opaque).
type Cmp = { op: string; value: string; regex: RegExp | null };
type Tree =
  | { kind: 'and' | 'or'; operands: Tree[] }
  | { kind: 'not'; operand: Tree }
  | { kind: 'class'; value: string; regex: RegExp | null }
  | ({ kind: 'fact'; fact: string } & Cmp)
  | { kind: 'function'; name: string; arg: string; field: string; comparison: Cmp | null };

function printComparison(c: Cmp): string {
  if (c.op === '=~') return `=~/${c.value}/`;
  if (c.op === '!~') return `!=/${c.value}/`;
  return `${c.op}'${c.value}'`;
}

/** A test-side printer for compound trees: every operand parenthesised, literals quoted. */
function printTree(t: Tree): string {
  switch (t.kind) {
    case 'and':
    case 'or':
      return t.operands.map((o) => `(${printTree(o)})`).join(` ${t.kind} `);
    case 'not':
      return `not (${printTree(t.operand)})`;
    case 'class':
      return t.regex ? t.value : `'${t.value}'`;
    case 'fact':
      return `${t.fact}${printComparison(t)}`;
    case 'function':
      return `${t.name}('${t.arg}').${t.field}${t.comparison ? printComparison(t.comparison) : ''}`;
  }
}

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const literal = fc.stringMatching(/^[a-z0-9 .:_-]{1,10}$/).filter((s) => s.trim() === s && s.length > 0);
const regexSource = fc.constantFrom('^web', 'db[0-9]+', 'a|b', '.*', '\\d{2,}', '(?:x)y');
const comparison = fc.oneof(
  fc.record({ op: fc.constantFrom('==', '!=', '<', '>', '<=', '>='), value: literal, regex: fc.constant(null) }),
  fc.record({ op: fc.constantFrom('=~', '!~'), value: regexSource, regex: fc.constant(null) }),
);
const leaf: fc.Arbitrary<Tree> = fc.oneof(
  word.map((value) => ({ kind: 'class' as const, value, regex: null })),
  regexSource.map((s) => ({ kind: 'class' as const, value: `/${s}/`, regex: new RegExp(s) })),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9_.]{0,10}[a-z0-9]$/), comparison).map(([fact, c]) => ({ kind: 'fact' as const, fact, ...c })),
  fc.tuple(fc.constantFrom('/etc/hosts', '/tmp/x y'), fc.integer({ min: 0, max: 1e6 })).map(([arg, n]) => ({
    kind: 'function' as const, name: 'fstat', arg, field: 'size', comparison: { op: '>', value: String(n), regex: null },
  })),
  fc.tuple(fc.stringMatching(/^[a-z][a-z.]{0,10}[a-z]$/), literal).map(([arg, v]) => ({
    kind: 'function' as const, name: 'fact', arg, field: 'value', comparison: { op: '==', value: v, regex: null },
  })),
);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), operands: fc.array(tie('t'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ kind: fc.constant('not' as const), operand: tie('t') }),
  ),
})).t;

test('compound expressions round-trip: print, parse, print gives the same text', deadline, () => {
  fc.assert(
    fc.property(tree, (t) => {
      const text = printTree(t);
      const parsed = parseCompound(text) as unknown as Tree;
      assert.equal(printTree(parsed), text);
      assert.equal(typeof matchFilter({ ...emptyFilter(), compound: [text] }, node), 'boolean');
    }),
    runs,
  );
});
