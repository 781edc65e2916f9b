/**
 * `-F` fact expressions: `name<op>value`, parsed in MCollective's order
 * (legacy `=>`/`=<`, then `<= >= < > != == =~`, then `=/re/`, then `=`).
 */
import { FilterSyntaxError } from '../errors.js';
import { operatorList, splitComparison, strayOperatorAt, type RawOperator } from './comparison.js';
import { compileRegex, isSlashRegex } from './regex.js';
import type { FactFilter, FactOperator } from './types.js';

const example = 'expected fact<op>value, e.g. os.family=debian, cpus>=4 or role=/web/';

/**
 * Parse one `-F` fact expression (`os.family=debian`, `cpus >= 4`, `role=/web/`,
 * legacy `=>`/`=<`). For `=~` the stored value is the regex source without
 * slashes. Throws FilterSyntaxError with the offset of the problem in `expr`.
 */
export function parseFactExpression(expr: string): FactFilter {
  const parts = splitComparison(expr);
  if (parts.kind === 'none') {
    if (parts.nameStart === parts.nameEnd && parts.at >= expr.length) {
      throw new FilterSyntaxError(`empty fact expression: ${example}`, expr, 0);
    }
    if (parts.nameStart === parts.nameEnd) {
      throw new FilterSyntaxError(`could not parse fact expression "${expr}": missing fact name; ${example}`, expr, parts.at);
    }
    throw new FilterSyntaxError(`could not parse fact expression "${expr}": ${example}`, expr, parts.at);
  }
  const { op, opStart } = parts;
  if (parts.nameStart === parts.nameEnd) {
    throw new FilterSyntaxError(`missing fact name before "${op}" in "${expr}": ${example}`, expr, opStart, op.length);
  }
  if (parts.valueStart === parts.valueEnd) {
    throw new FilterSyntaxError(`missing value after "${op}" in "${expr}": ${example}`, expr, opStart, op.length);
  }
  const stray = strayOperatorAt(expr, op, parts.valueStart, parts.valueEnd);
  if (stray >= 0) {
    throw new FilterSyntaxError(
      `malformed operator "${expr.slice(opStart, stray + 1).replace(/\s+/g, '')}" in "${expr}": the operators are ${operatorList} (and =/regex/)`,
      expr,
      opStart,
      stray + 1 - opStart,
    );
  }
  const fact = expr.slice(parts.nameStart, parts.nameEnd);
  const raw = expr.slice(parts.valueStart, parts.valueEnd);
  const operator = normaliseOperator(op, raw);
  if (operator !== '=~') return { fact, operator, value: raw };
  const sourceStart = isSlashRegex(raw) ? parts.valueStart + 1 : parts.valueStart;
  const value = isSlashRegex(raw) ? raw.slice(1, -1) : raw;
  const compiled = compileRegex(value);
  if (typeof compiled === 'string') {
    throw new FilterSyntaxError(`invalid regular expression in "${expr}": ${compiled}`, expr, sourceStart, Math.max(1, value.length));
  }
  return { fact, operator, value };
}

/** Map a typed operator to the wire operator: legacy aliases, `=` is `==`, `=/re/` is `=~`. */
function normaliseOperator(op: RawOperator, value: string): FactOperator {
  switch (op) {
    case '=>':
      return '>=';
    case '=<':
      return '<=';
    case '=':
      return isSlashRegex(value) ? '=~' : '==';
    default:
      return op;
  }
}

/** Characters that can only appear in a fact expression, never in a class name. */
const operatorChars = /[=<>]/;

/**
 * Classify one `-W` token: a `/regex/` is a class regex; a token containing
 * `=`, `<` or `>` is a fact expression (and must parse as one: a malformed one
 * throws FilterSyntaxError rather than silently becoming a class that can
 * never match); anything else is a class name.
 */
export function parseWithToken(token: string): { kind: 'fact'; fact: FactFilter } | { kind: 'class'; value: string } {
  if (isSlashRegex(token) || !operatorChars.test(token)) return { kind: 'class', value: token };
  return { kind: 'fact', fact: parseFactExpression(token) };
}
