/**
 * Tokenizer for compound (`-S`) expressions, after MCollective's
 * matcher/scanner.rb: keywords `and`, `or`, `not` (and `!`), parentheses, and
 * statements. A keyword must be followed by whitespace, `(`, `)` or the end,
 * so `android` is a statement (a class), not `and` + `roid`. Inside a
 * statement, quotes, `/regex/` values and function-call parentheses are kept
 * whole, and spaces around a comparison operator are allowed (`cpus > 4`).
 */
import { FilterSyntaxError } from '../../errors.js';
import { isSpace, operatorAt } from '../comparison.js';

export type TokenType = 'and' | 'or' | 'not' | '(' | ')' | 'statement';

/** One token; `start`/`end` are offsets into the input (end exclusive). */
export interface Token {
  readonly type: TokenType;
  readonly start: number;
  readonly end: number;
}

const keywords = ['and', 'or', 'not'] as const;
const functionName = /^[A-Za-z_]\w*$/;

/** Split a compound expression into tokens; throws FilterSyntaxError for unterminated quotes, regexes and calls. */
export function scan(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (isSpace(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c, start: i, end: i + 1 });
      i++;
    } else if (c === '!' && input[i + 1] !== '=') {
      tokens.push({ type: 'not', start: i, end: i + 1 });
      i++;
    } else {
      const keyword = keywordAt(input, i);
      if (keyword !== undefined) {
        tokens.push({ type: keyword, start: i, end: i + keyword.length });
        i += keyword.length;
      } else {
        const end = scanStatement(input, i);
        tokens.push({ type: 'statement', start: i, end });
        i = end;
      }
    }
  }
  return tokens;
}

/** The keyword at `at` when it is followed by whitespace, a parenthesis or the end. */
function keywordAt(input: string, at: number): (typeof keywords)[number] | undefined {
  for (const keyword of keywords) {
    if (!input.startsWith(keyword, at)) continue;
    const next = input[at + keyword.length];
    if (next === undefined || next === '(' || next === ')' || isSpace(next)) return keyword;
  }
  return undefined;
}

/** End offset of the statement starting at `start`. */
function scanStatement(input: string, start: number): number {
  let j = start;
  let sawOperator = false;
  let valueStart = true;
  while (j < input.length) {
    const c = input[j];
    if (isSpace(c)) {
      const k = skipSpaces(input, j);
      if (!sawOperator && j > start && operatorAt(input, k) !== undefined) {
        j = k;
        continue;
      }
      if (sawOperator && valueStart && k < input.length && input[k] !== ')' && keywordAt(input, k) === undefined) {
        j = k;
        continue;
      }
      break;
    }
    if (c === ')') break;
    if (c === '(') {
      if (sawOperator || !functionName.test(input.slice(start, j))) break;
      j = scanCall(input, j);
      valueStart = false;
      continue;
    }
    if (c === "'" || c === '"') {
      j = scanQuoted(input, j);
      valueStart = false;
      continue;
    }
    if (c === '/' && valueStart) {
      j = scanRegex(input, j);
      valueStart = false;
      continue;
    }
    const op = operatorAt(input, j);
    if (op !== undefined) {
      sawOperator = true;
      valueStart = true;
      j += op.length;
      continue;
    }
    valueStart = false;
    j++;
  }
  return j;
}

function skipSpaces(input: string, from: number): number {
  let k = from;
  while (k < input.length && isSpace(input[k])) k++;
  return k;
}

/** End offset (after the closing quote) of the quoted string opening at `open`. */
export function scanQuoted(input: string, open: number, limit = input.length): number {
  const quote = input[open];
  const close = input.indexOf(quote ?? "'", open + 1);
  if (close === -1 || close >= limit) {
    throw new FilterSyntaxError(
      `unterminated quote: add the closing ${quote} (values containing one kind of quote can be wrapped in the other)`,
      input,
      open,
      limit - open,
    );
  }
  return close + 1;
}

/** End offset (after the closing slash) of the `/regex/` opening at `open`; `\/` and `/` inside `[...]` do not close it. */
export function scanRegex(input: string, open: number, limit = input.length): number {
  let inClass = false;
  for (let j = open + 1; j < limit; j++) {
    const c = input[j];
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return j + 1;
  }
  throw new FilterSyntaxError(
    'unterminated regular expression: add the closing / (quote a value that starts with / but is not a regex)',
    input,
    open,
    limit - open,
  );
}

/** End offset (after the `)`) of the function-call argument list opening at `open`. */
function scanCall(input: string, open: number): number {
  let j = open + 1;
  while (j < input.length) {
    const c = input[j];
    if (c === ')') return j + 1;
    if (c === "'" || c === '"') j = scanQuoted(input, j);
    else j++;
  }
  throw new FilterSyntaxError("unclosed '(' in function call: write it as name('argument')", input, open, input.length - open);
}
