/**
 * Splitting `name<op>value` text, shared by `-F` fact expressions and the
 * statements of `-S` compound expressions. Positions are offsets into the
 * caller's input so errors can point at the exact character.
 */

/** Operators as typed; `=>`/`=<` are MCollective's legacy spellings of `>=`/`<=`, `=` means `==`. */
export type RawOperator = '=>' | '=<' | '<=' | '>=' | '!=' | '==' | '=~' | '<' | '>' | '=';

const twoCharOperators: readonly RawOperator[] = ['=>', '=<', '<=', '>=', '!=', '==', '=~'];

/** `name <op> value` found in text[from, to). value may be empty; the caller decides if that is an error. */
export interface ComparisonParts {
  kind: 'comparison';
  nameStart: number;
  nameEnd: number;
  op: RawOperator;
  opStart: number;
  valueStart: number;
  valueEnd: number;
}

/** No operator follows the name: `at` is where one was expected. */
export interface NoOperator {
  kind: 'none';
  nameStart: number;
  nameEnd: number;
  at: number;
}

/** Characters that end a fact name: whitespace and the operator characters `= < > !`. */
export function endsName(c: string | undefined): boolean {
  return c === '=' || c === '<' || c === '>' || c === '!' || isSpace(c);
}

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** The operator starting at `at` (longest match), or undefined. A lone `!` is not an operator. */
export function operatorAt(text: string, at: number, to = text.length): RawOperator | undefined {
  if (at + 1 < to) {
    const two = text.slice(at, at + 2);
    for (const op of twoCharOperators) if (op === two) return op;
  }
  const c = text[at];
  if (at < to && (c === '<' || c === '>' || c === '=')) return c;
  return undefined;
}

/** Split text[from, to) into name, operator and value; spaces around the operator are allowed. */
export function splitComparison(text: string, from = 0, to = text.length): ComparisonParts | NoOperator {
  let i = from;
  while (i < to && isSpace(text[i])) i++;
  const nameStart = i;
  while (i < to && !endsName(text[i])) i++;
  const nameEnd = i;
  while (i < to && isSpace(text[i])) i++;
  const op = operatorAt(text, i, to);
  if (op === undefined) return { kind: 'none', nameStart, nameEnd, at: i };
  const opStart = i;
  i += op.length;
  while (i < to && isSpace(text[i])) i++;
  let valueEnd = to;
  while (valueEnd > i && isSpace(text[valueEnd - 1])) valueEnd--;
  return { kind: 'comparison', nameStart, nameEnd, op, opStart, valueStart: i, valueEnd };
}

/** The operators as a user may type them, for messages. */
export const operatorList = '= == != < > <= >= =~';

/**
 * A value that starts with another operator character (`cpus>>8`,
 * `cpus=>=8`, `role===web`): the user mistyped the operator. Returns the
 * offset of that character, or -1. Regex operators (`=~`) take any value.
 */
export function strayOperatorAt(text: string, op: RawOperator, valueStart: number, valueEnd: number): number {
  if (op === '=~' || valueStart >= valueEnd) return -1;
  const c = text[valueStart];
  return c === '<' || c === '>' || c === '=' ? valueStart : -1;
}
