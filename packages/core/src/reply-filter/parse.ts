/**
 * Parsing reply filters. The grammar is the `-S` one (and, or, not, `!`,
 * parentheses; the same scanner, parser and value syntax: quotes, `/regex/`,
 * `=~`), with comparisons over reply fields instead of facts:
 * `statuscode`, `sender`, `statusmsg` and `data.<output>`. Errors are
 * FilterSyntaxErrors pointing at the offending characters, so a bad
 * expression is refused before anything is sent.
 */
import { FilterSyntaxError } from '../errors.js';
import { splitComparison } from '../filter/comparison.js';
import { parseBooleanExpression } from '../filter/compound/parser.js';
import { parseComparison } from '../filter/compound/statement.js';
import { looksNumeric } from '../filter/numeric.js';
import type { InputType } from '../ddl/types.js';
import type { ReplyComparison, ReplyField, ReplyFilterNode } from './ast.js';

/** The outputs an action declares (its DDL `output`), to check names and literal types at parse time. */
export type DeclaredOutputs = Readonly<Record<string, { readonly type?: InputType | undefined }>>;

const example = 'e.g. data.exitcode > 0, sender =~ /^web/, statuscode == 0';
const numericTypes: ReadonlySet<string> = new Set(['integer', 'float', 'number']);

/**
 * Parse `input`. With `outputs` (the action's DDL outputs), `data.<name>`
 * must name a declared output and literals must suit its declared type
 * (`data.exitcode > abc` on an integer output is an error, not a silent
 * false). Throws FilterSyntaxError.
 */
export function parseReplyFilter(input: string, outputs?: DeclaredOutputs): ReplyFilterNode {
  return parseBooleanExpression(input, (text, start, end) => parseReplyComparison(text, start, end, outputs), `empty reply filter: write a comparison, ${example}`);
}

function parseReplyComparison(input: string, start: number, end: number, outputs: DeclaredOutputs | undefined): ReplyComparison {
  const parts = splitComparison(input, start, end);
  if (parts.kind === 'none') {
    const at = parts.at < end ? parts.at : start;
    fail(input, `expected a comparison (field <op> value), ${example}`, at, Math.max(1, (parts.at < end ? 1 : end - start)));
  }
  if (parts.nameStart === parts.nameEnd) fail(input, `missing field name before "${parts.op}": ${example}`, parts.opStart, parts.op.length);
  const name = input.slice(parts.nameStart, parts.nameEnd);
  const field = parseField(input, name, parts.nameStart, outputs);
  const raw = input.slice(parts.valueStart, parts.valueEnd);
  if (raw === 'null') {
    if (parts.op !== '==' && parts.op !== '=' && parts.op !== '!=') fail(input, `null can only be compared with == or != (is ${name} missing?)`, parts.opStart, parts.op.length);
    return { kind: 'compare', field, name, presence: true, op: parts.op === '!=' ? '!=' : '==', value: 'null', regex: null };
  }
  const comparison = parseComparison(input, parts.op, parts.opStart, parts.valueStart, parts.valueEnd);
  const node: ReplyComparison = { kind: 'compare', field, name, presence: false, ...comparison };
  checkLiteral(input, node, declaredType(field, outputs), parts.valueStart, parts.valueEnd - parts.valueStart);
  return node;
}

function parseField(input: string, name: string, at: number, outputs: DeclaredOutputs | undefined): ReplyField {
  if (name === 'statuscode' || name === 'sender' || name === 'statusmsg') return { kind: name };
  if (!name.startsWith('data.') || name.length === 5 || name.endsWith('.') || name.includes('..')) {
    fail(input, `unknown field "${name}": compare statuscode, sender, statusmsg or data.<output>`, at, name.length);
  }
  const path = name.slice(5);
  const output = path.split('.')[0] ?? '';
  if (outputs !== undefined && !Object.hasOwn(outputs, output)) {
    const names = Object.keys(outputs);
    const known = names.length > 0 ? `its outputs are ${names.map((n) => `data.${n}`).join(', ')}` : 'it declares no outputs';
    fail(input, `the action has no output "${output}": ${known}`, at + 5, output.length);
  }
  return { kind: 'data', path };
}

/** The type a field's value should have: statuscode is an integer, sender and statusmsg strings, outputs per the DDL (whole outputs only). */
function declaredType(field: ReplyField, outputs: DeclaredOutputs | undefined): string | undefined {
  switch (field.kind) {
    case 'statuscode':
      return 'integer';
    case 'sender':
    case 'statusmsg':
      return 'string';
    case 'data':
      return field.path.includes('.') ? undefined : outputs?.[field.path]?.type;
  }
}

/** Parse-time type checks: a literal that can never compare with a value of the declared type is an error. */
function checkLiteral(input: string, c: ReplyComparison, type: string | undefined, valueAt: number, valueLen: number): void {
  if (type === 'hash') fail(input, `${c.name} is a hash: compare one of its fields, e.g. ${c.name}.key == value`, valueAt, valueLen);
  if (type === undefined || c.regex !== null) return;
  if (numericTypes.has(type) && !looksNumeric(c.value)) {
    fail(input, `${c.name} is ${type === 'integer' ? 'an integer' : `a ${type}`}: compare it with a number, not "${c.value}"`, valueAt, valueLen);
  }
  if (type === 'boolean') {
    if (!/^(true|false)$/i.test(c.value)) fail(input, `${c.name} is a boolean: compare it with true or false, not "${c.value}"`, valueAt, valueLen);
    if (c.op !== '==' && c.op !== '!=') fail(input, `${c.name} is a boolean: only == and != apply`, valueAt, valueLen);
  }
}

function fail(input: string, message: string, position: number, length = 1): never {
  throw new FilterSyntaxError(message, input, position, length);
}
