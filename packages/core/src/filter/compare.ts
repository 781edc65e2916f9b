/**
 * Comparing one fact (or data-function) value with the operator and value of
 * a filter term. The rules, in order:
 * - missing (undefined), null and object values never match, whatever the operator;
 * - arrays: `!=` (and `!~`) match when no element is equal (matches), any other
 *   operator matches when any element satisfies it;
 * - both sides numeric (a JSON number or a numeric-looking string, against a
 *   numeric-looking value): numeric comparison;
 * - booleans: `==`/`!=` against `true`/`false` (case-insensitive); ordering never matches;
 * - otherwise case-insensitive string comparison; regexes are case-insensitive and unanchored.
 */
import type { FactOperator } from './types.js';
import type { FilterRegex } from './regex.js';
import { compareDecimalStrings, compareNumbers, looksNumeric } from './numeric.js';

/** Fact operators plus `!~` (negated regex), which only the compound grammar can express (`fact!=/re/`). */
export type CompareOperator = FactOperator | '!~';

/** Compare `actual` (a JSON value from facts or a data function) with `value`. `regex` is required for `=~`/`!~`. */
export function compareValue(actual: unknown, op: CompareOperator, value: string, regex: FilterRegex | null): boolean {
  if (Array.isArray(actual)) {
    if (op === '!=' || op === '!~') {
      const positive: CompareOperator = op === '!=' ? '==' : '=~';
      for (const element of actual as unknown[]) if (compareScalar(element, positive, value, regex)) return false;
      return true;
    }
    for (const element of actual as unknown[]) if (compareScalar(element, op, value, regex)) return true;
    return false;
  }
  return compareScalar(actual, op, value, regex);
}

/** Compare a single (non-array) value. Arrays nested in arrays, objects, null and undefined never match. */
export function compareScalar(actual: unknown, op: CompareOperator, value: string, regex: FilterRegex | null): boolean {
  switch (typeof actual) {
    case 'string':
      if (op === '=~' || op === '!~') return testRegex(actual, op, regex);
      if (looksNumeric(actual) && looksNumeric(value)) return holds(op, compareDecimalStrings(actual, value));
      return compareStrings(actual, op, value);
    case 'number':
      if (op === '=~' || op === '!~') return testRegex(String(actual), op, regex);
      if (looksNumeric(value)) return holds(op, compareNumbers(actual, Number(value)));
      return compareStrings(String(actual), op, value);
    case 'boolean':
      if (op === '=~' || op === '!~') return testRegex(actual ? 'true' : 'false', op, regex);
      if (op === '==') return equalsIgnoreCase(actual ? 'true' : 'false', value);
      if (op === '!=') return !equalsIgnoreCase(actual ? 'true' : 'false', value);
      return false;
    default:
      return false;
  }
}

/** ASCII-fast case-insensitive equality. */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.toLowerCase() === b.toLowerCase();
}

function testRegex(text: string, op: '=~' | '!~', regex: FilterRegex | null): boolean {
  if (regex === null) return false;
  return regex.test(text) === (op === '=~');
}

function compareStrings(actual: string, op: CompareOperator, value: string): boolean {
  if (op === '==') return equalsIgnoreCase(actual, value);
  if (op === '!=') return !equalsIgnoreCase(actual, value);
  const a = actual.toLowerCase();
  const b = value.toLowerCase();
  return holds(op, a < b ? -1 : a > b ? 1 : 0);
}

function holds(op: CompareOperator, cmp: number): boolean {
  switch (op) {
    case '==':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '<':
      return cmp < 0;
    case '>':
      return cmp > 0;
    case '<=':
      return cmp <= 0;
    case '>=':
      return cmp >= 0;
    default:
      return false;
  }
}
