/**
 * Parsing one statement token of a compound expression into a leaf node:
 * `/regex/` (class regex), a bare or quoted word (class name),
 * `fact<op>value`, or a data-function call `fstat('path').field<op>value`.
 */
import { FilterSyntaxError } from '../../errors.js';
import type { CompareOperator } from '../compare.js';
import { isSpace, operatorAt, operatorList, splitComparison, strayOperatorAt, type RawOperator } from '../comparison.js';
import { compileRegex, type FilterRegex } from '../regex.js';
import type { ClassNode, Comparison, FactNode, FunctionNode } from './ast.js';
import { dataFunctions, fieldType, isDataFunction, type FieldType } from './functions.js';
import { scanQuoted, scanRegex } from './scanner.js';

const callPattern = /[A-Za-z_]\w*\(/y;
const fieldPattern = /\w*/y;

/** Parse input[start, end) (one statement token) into a leaf node. */
export function parseStatement(input: string, start: number, end: number): ClassNode | FactNode | FunctionNode {
  const first = input[start];
  if (first === '/') {
    const close = scanRegex(input, start, end);
    if (close !== end) fail(input, 'unexpected text after a class /regex/: separate statements with and/or', close, end - close);
    return { kind: 'class', value: input.slice(start, end), regex: regexOrFail(input, start + 1, close - 1) };
  }
  if (first === "'" || first === '"') {
    const close = scanQuoted(input, start, end);
    if (close !== end) fail(input, 'unexpected text after a quoted class name: separate statements with and/or', close, end - close);
    if (close - start === 2) fail(input, 'empty class name', start, 2);
    return { kind: 'class', value: input.slice(start + 1, close - 1), regex: null };
  }
  callPattern.lastIndex = start;
  if (callPattern.test(input)) return parseCall(input, start, end, callPattern.lastIndex - 1);

  const parts = splitComparison(input, start, end);
  if (parts.kind === 'none') {
    if (parts.at < end) {
      fail(input, `unexpected "${input[parts.at]}": expected fact<op>value, a class name or /regex/`, parts.at);
    }
    return { kind: 'class', value: input.slice(start, end), regex: null };
  }
  if (parts.nameStart === parts.nameEnd) {
    fail(input, `missing fact name before "${parts.op}": write fact${parts.op}value`, parts.opStart, parts.op.length);
  }
  const comparison = parseComparison(input, parts.op, parts.opStart, parts.valueStart, parts.valueEnd);
  return { kind: 'fact', fact: input.slice(parts.nameStart, parts.nameEnd), ...comparison };
}

/** `name('arg')[.field][<op>value]`; `open` is the offset of `(`. */
function parseCall(input: string, start: number, end: number, open: number): FunctionNode {
  const name = input.slice(start, open);
  if (!isDataFunction(name)) {
    fail(input, `unknown data function "${name}": the known ones are fstat('path').field, fact('path') and check('name').field`, start, name.length);
  }
  const spec = dataFunctions[name];
  let i = skipSpaces(input, open + 1, end);
  if (input[i] !== "'" && input[i] !== '"') fail(input, `the argument of ${name}() must be quoted, e.g. ${spec.example}`, i);
  const close = scanQuoted(input, i, end);
  const arg = input.slice(i + 1, close - 1);
  if (arg.length === 0) fail(input, `empty argument to ${name}(): e.g. ${spec.example}`, i, 2);
  i = skipSpaces(input, close, end);
  if (input[i] !== ')') fail(input, `expected ")" after the argument of ${name}()`, i);
  i++;

  let field: string | undefined = spec.defaultField;
  if (input[i] === '.') {
    fieldPattern.lastIndex = i + 1;
    fieldPattern.test(input);
    const fieldEnd = Math.min(fieldPattern.lastIndex, end);
    field = input.slice(i + 1, fieldEnd);
    if (field.length === 0) fail(input, `missing field name after "." (${fieldList(name)})`, i);
    if (fieldType(name, field) === undefined) fail(input, `${name}() has no field "${field}" (${fieldList(name)})`, i + 1, field.length);
    i = fieldEnd;
  }
  if (field === undefined) fail(input, `${name}() needs a field (${fieldList(name)}), e.g. ${spec.example}`, i);
  const type = fieldType(name, field);

  i = skipSpaces(input, i, end);
  if (i >= end) {
    if (type !== 'boolean') fail(input, `${name}(...).${field} needs a comparison, e.g. ${spec.example}`, start, end - start);
    return { kind: 'function', name, arg, field, comparison: null };
  }
  const op = operatorAt(input, i, end);
  if (op === undefined) fail(input, `expected a comparison operator (== != < > <= >= =~) after ${name}(...).${field}`, i);
  const valueStart = skipSpaces(input, i + op.length, end);
  let valueEnd = end;
  while (valueEnd > valueStart && isSpace(input[valueEnd - 1])) valueEnd--;
  const comparison = parseComparison(input, op, i, valueStart, valueEnd);
  checkFieldComparison(input, comparison, type, i, valueStart, valueEnd - valueStart);
  return { kind: 'function', name, arg, field, comparison };
}

/** Parse-time type checks: booleans take ==/!= true|false, numbers take a numeric value and no regex. */
function checkFieldComparison(input: string, c: Comparison, type: FieldType | undefined, opAt: number, valueAt: number, valueLen: number): void {
  if (type === 'boolean') {
    if (c.op !== '==' && c.op !== '!=') fail(input, 'a boolean field can only be compared with == or !=', opAt);
    if (!/^(true|false)$/i.test(c.value) || c.regex !== null) fail(input, 'a boolean field can only be compared with true or false', valueAt, valueLen);
  } else if (type === 'number') {
    if (c.regex !== null) fail(input, 'a numeric field cannot be matched with a regex', opAt);
    if (!/^-?\d+(\.\d+)?$/.test(c.value)) fail(input, 'a numeric field must be compared with a number', valueAt, valueLen);
  }
}

/** The value side: quoted literal, `/regex/`, or bare literal; maps the operator to its wire meaning (also used by reply filters). */
export function parseComparison(input: string, op: RawOperator, opStart: number, valueStart: number, valueEnd: number): Comparison {
  if (valueStart >= valueEnd) fail(input, `missing value after "${op}"`, opStart, op.length);
  const stray = strayOperatorAt(input, op, valueStart, valueEnd);
  if (stray >= 0) fail(input, `malformed operator "${input.slice(opStart, stray + 1).replace(/\s+/g, '')}": the operators are ${operatorList} (quote a value that starts with "${input[stray]}")`, opStart, stray + 1 - opStart);
  const first = input[valueStart];
  let literal: string;
  let regexAt = -1;
  if (first === "'" || first === '"') {
    const close = scanQuoted(input, valueStart, valueEnd);
    if (close !== valueEnd) fail(input, 'unexpected text after a quoted value', close, valueEnd - close);
    literal = input.slice(valueStart + 1, close - 1);
    if (op === '=~') regexAt = valueStart + 1;
  } else if (op !== '==' && isWholeRegex(input, valueStart, valueEnd)) {
    // `==` always compares literally, as in -F; `=`/`=~` match and `!=` negates the regex.
    if (op !== '=' && op !== '=~' && op !== '!=') {
      fail(input, `a /regex/ value needs "=", "=~" or "!=" (not "${op}")`, opStart, op.length);
    }
    literal = input.slice(valueStart + 1, valueEnd - 1);
    regexAt = valueStart + 1;
  } else {
    literal = input.slice(valueStart, valueEnd);
    if (op === '=~') regexAt = valueStart;
  }
  if (regexAt === -1) return { op: literalOperator(op), value: literal, regex: null };
  const regex = regexOrFail(input, regexAt, regexAt + literal.length);
  return { op: op === '!=' ? '!~' : '=~', value: literal, regex };
}

function isWholeRegex(input: string, start: number, end: number): boolean {
  return end - start >= 2 && input[start] === '/' && input[end - 1] === '/';
}

function literalOperator(op: RawOperator): CompareOperator {
  if (op === '=') return '==';
  if (op === '=>') return '>=';
  if (op === '=<') return '<=';
  return op;
}

function regexOrFail(input: string, from: number, to: number): FilterRegex {
  const compiled = compileRegex(input.slice(from, to));
  if (typeof compiled === 'string') fail(input, `invalid regular expression: ${compiled}`, from, Math.max(1, to - from));
  return compiled;
}

function fieldList(name: keyof typeof dataFunctions): string {
  return `fields: ${Object.keys(dataFunctions[name].fields).join(', ')}`;
}

function skipSpaces(input: string, from: number, end: number): number {
  let i = from;
  while (i < end && isSpace(input[i])) i++;
  return i;
}

function fail(input: string, message: string, position: number, length = 1): never {
  throw new FilterSyntaxError(message, input, position, length);
}
