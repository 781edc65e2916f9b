// Property test for DDL input validation (fast-check, fixed seed; set
// COHORT_PROPERTY_SEED to explore, the seed is in every failure message):
// random actions (string inputs with maxlength and validation regexes or
// named validators, integer, float, number, boolean, list, hash, array;
// optional or not; with or without defaults) and random request data.
// Whenever validateInputs accepts, an independent oracle written here from
// the DDL rules agrees that every value satisfies its declaration and the
// result is the data plus defaults; whenever it refuses, it is an InputError
// with status 3 (missing) or 4 (invalid), and the oracle agrees something is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DdlError, InputError, parseDdl, validateInputs, type DdlAction, type DdlInput } from '@cohort/core';

const seed = Number(process.env['COHORT_PROPERTY_SEED'] ?? 20261122);

/** String validations with an oracle written without regexes (Go/RE2 semantics: ^ and $ are text boundaries). */
const all = (s: string, ok: (c: string) => boolean) => [...s].every(ok);
const between = (c: string, lo: string, hi: string) => c >= lo && c <= hi;
const isWord = (c: string) => between(c, 'a', 'z') || between(c, 'A', 'Z') || between(c, '0', '9') || c === '_';
const isHex = (c: string) => between(c, '0', '9') || between(c, 'a', 'f') || between(c, 'A', 'F');
function ipv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && all(p, (c) => between(c, '0', '9')) && (p === '0' || p[0] !== '0') && Number(p) <= 255);
}
const validations: Readonly<Record<string, (s: string) => boolean>> = {
  '^[a-z]+$': (s) => s.length > 0 && all(s, (c) => between(c, 'a', 'z')),
  '\\A\\d+\\z': (s) => s.length > 0 && all(s, (c) => between(c, '0', '9')),
  '\\A[\\w.-]+\\z': (s) => s.length > 0 && all(s, (c) => isWord(c) || c === '.' || c === '-'),
  '^\\h+$': (s) => s.length > 0 && all(s, isHex),
  '(?i)^yes|no$': (s) => s.toLowerCase().startsWith('yes') || s.toLowerCase().endsWith('no'),
  // '.' and '{n,m}' count characters (code points), as Go and Ruby do, not UTF-16 units.
  '^.{2,4}$': (s) => !s.includes('\n') && [...s].length >= 2 && [...s].length <= 4,
  shellsafe: (s) => !['`', '$', ';', '|', '>', '<', '\n', '\r', '&&'].some((bad) => s.includes(bad)),
  ipv4address: ipv4,
};

const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Does `value` satisfy `input`? (The DDL rules, restated.) */
function satisfies(input: DdlInput, value: unknown): boolean {
  switch (input.type) {
    case 'string': {
      if (typeof value !== 'string') return false;
      if ((input.maxlength ?? 0) > 0 && [...value].length > (input.maxlength ?? 0)) return false;
      return input.validation === undefined || (validations[input.validation] as (s: string) => boolean)(value);
    }
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return (input.list ?? []).some((allowed) => JSON.stringify(allowed) === JSON.stringify(value));
    case 'hash':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
  }
}

const inputArb: fc.Arbitrary<DdlInput> = fc
  .record({
    type: fc.constantFrom('string', 'string', 'integer', 'float', 'number', 'boolean', 'list', 'hash', 'array') as fc.Arbitrary<DdlInput['type']>,
    optional: fc.boolean(),
    maxlength: fc.constantFrom(0, 0, 1, 3, 8, 64),
    validation: fc.option(fc.constantFrom(...Object.keys(validations)), { nil: undefined }),
    // The DDL schema allows only strings in a list. Unique: the loader refuses repeated values (tested in ddl-load).
    list: fc.uniqueArray(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('0', 'true', 'd', 'yes')), { minLength: 1, maxLength: 4 }),
    hasDefault: fc.boolean(),
  })
  .map(({ type, optional, maxlength, validation, list, hasDefault }) => {
    const input: DdlInput = { prompt: 'P', description: 'D', type, optional };
    if (type === 'string') {
      input.maxlength = maxlength;
      if (validation !== undefined) input.validation = validation;
    }
    if (type === 'list') input.list = list;
    if (hasDefault) input.default = { string: 'd', integer: 1, float: 1.5, number: 2, boolean: false, list: list[0], hash: { k: 1 }, array: [1] }[type];
    return input;
  });

/** Only DDLs the loader accepts (schema and semantic checks), as a node or client would have them. */
function loaded(input: Record<string, DdlInput>): DdlAction | undefined {
  const metadata = { name: 'prop', description: 'property test', author: 'test', license: 'Apache-2.0', version: '1.0.0', url: 'https://example.com', timeout: 5 };
  const action = { action: 'act', description: 'an action', display: 'always', input, output: {} };
  try {
    return parseDdl(JSON.stringify({ $schema: 'https://choria.io/schemas/mcorpc/ddl/v1/agent.json', metadata, actions: [action] }), 'prop.json').actions[0];
  } catch (err) {
    if (err instanceof DdlError) return undefined;
    throw err;
  }
}

const actionArb: fc.Arbitrary<DdlAction> = fc
  .dictionary(fc.constantFrom('a', 'b', 'c', 'name', 'count', 'opts'), inputArb, { maxKeys: 4 })
  .map(loaded)
  .filter((a): a is DdlAction => a !== undefined);

/** Values that hit the edges of every type. */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.stringMatching(/^[a-z0-9]{0,6}$/),
  fc.constantFrom('yes', 'NO', 'xno', 'a\nno', '10.0.0.1', '256.1.1.1', '01.2.3.4', 'a&&b', 'a&b', 'ab', '\u{1F600}\u{1F600}', 'd', '0', ''),
  fc.ipV4(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.constantFrom(-3, 0, 3, true, false),
);

/** Values of the input's declared type (which may still fail its maxlength or validation). */
function typedArb(input: DdlInput): fc.Arbitrary<unknown> {
  switch (input.type) {
    case 'string':
      return fc.oneof(fc.string({ maxLength: 5 }), fc.stringMatching(/^[a-f0-9]{1,4}$/), fc.constantFrom('yes', 'xno', 'a-b.c', '10.0.0.1', '1.2.3', 'a&b'));
    case 'integer':
      return fc.integer();
    case 'float':
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'list':
      return fc.constantFrom(...(input.list ?? []));
    case 'hash':
      return fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 });
    case 'array':
      return fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 });
  }
}

/** Data for an action: some declared inputs (usually of the right type), sometimes an undeclared one. */
function dataArb(action: DdlAction): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(action.input);
  const value = (n: string) => fc.oneof({ arbitrary: typedArb(action.input[n] as DdlInput), weight: 4 }, { arbitrary: valueArb, weight: 1 });
  const fields = Object.fromEntries(names.map((n) => [n, fc.oneof({ arbitrary: value(n), weight: 6 }, { arbitrary: fc.constant(undefined), weight: 1 })]));
  return fc.tuple(fc.record(fields), fc.oneof({ arbitrary: fc.constant(undefined), weight: 7 }, { arbitrary: fc.tuple(fc.constantFrom('zz', 'other'), valueArb), weight: 1 })).map(([record, extra]) => {
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) if (v !== undefined) data[k] = v;
    if (extra) data[extra[0]] = extra[1];
    return data;
  });
}

/** The oracle's verdict: valid with the expected result, or the statuses of the problems found (3 missing, 4 invalid or unknown). */
function oracle(action: DdlAction, data: Record<string, unknown>): { ok: true; result: Record<string, unknown> } | { ok: false; statuses: Set<number> } {
  const declared = action.input;
  const statuses = new Set<number>();
  for (const key of Object.keys(data)) if (!Object.hasOwn(declared, key)) statuses.add(4);
  for (const [name, input] of Object.entries(declared)) {
    const hasDefault = input.default !== undefined && input.default !== null;
    if (!Object.hasOwn(data, name)) {
      if (!input.optional && !hasDefault) statuses.add(3);
    } else if (!satisfies(input, data[name])) {
      statuses.add(4);
    }
  }
  if (statuses.size > 0) return { ok: false, statuses };
  const result: Record<string, unknown> = { ...data };
  for (const [name, input] of Object.entries(declared)) {
    if (result[name] === undefined && input.default !== undefined && input.default !== null) result[name] = input.default;
  }
  return { ok: true, result };
}

test('validateInputs accepts exactly what the DDL declares, and nothing that violates it', { timeout: 120_000 }, () => {
  const seen = { accepted: 0, refused: 0 };
  fc.assert(
    fc.property(
      actionArb.chain((action) => fc.tuple(fc.constant(action), dataArb(action))),
      ([action, data]) => {
        const expected = oracle(action, data);
        let out: Record<string, unknown>;
        try {
          out = validateInputs(action, data);
        } catch (err) {
          assert.ok(err instanceof InputError, `threw ${String(err)} instead of an InputError`);
          assert.ok(!expected.ok, `refused valid data: ${err.message}`);
          // With a missing input and an invalid one in the same request, either status names a real problem.
          assert.ok(expected.statuses.has(err.status), `status ${err.status} (${err.message}), but the problems are ${[...expected.statuses].join(', ')}`);
          seen.refused++;
          return;
        }
        assert.ok(expected.ok, `accepted data that violates the DDL: ${JSON.stringify(data)} for ${JSON.stringify(action.input)}`);
        assert.deepEqual(out, expected.result);
        seen.accepted++;
      },
    ),
    { seed, numRuns: 1500 },
  );
  // Both sides of the property were exercised (the generators are not all-valid or all-invalid).
  assert.ok(seen.accepted >= 150 && seen.refused >= 150, `accepted ${seen.accepted}, refused ${seen.refused}`);
});
