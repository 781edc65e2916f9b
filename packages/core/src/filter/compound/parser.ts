/**
 * Recursive-descent parser for compound (`-S`) expressions, after
 * MCollective's matcher/parser.rb. Precedence: `not`/`!` binds tightest, then
 * `and`, then `or`; parentheses group. Errors point at the offending token:
 * an operator at the start or end, two operators in a row, a statement
 * followed by something other than `and`/`or`/`)`, unbalanced parentheses,
 * an empty expression.
 */
import { FilterSyntaxError } from '../../errors.js';
import type { CompoundNode } from './ast.js';
import { scan, type Token } from './scanner.js';
import { parseStatement } from './statement.js';

/** and/or/not over leaves of type L: the shape of `-S` expressions and of reply filters. */
export type BooleanTree<L> =
  | { readonly kind: 'and'; readonly operands: readonly BooleanTree<L>[] }
  | { readonly kind: 'or'; readonly operands: readonly BooleanTree<L>[] }
  | { readonly kind: 'not'; readonly operand: BooleanTree<L> }
  | L;

/** Parses one statement token, input[start, end), into a leaf; throws FilterSyntaxError. */
export type LeafParser<L> = (input: string, start: number, end: number) => L;

/** Deepest nesting of parentheses and `not` accepted (bounds recursion on hostile input). */
export const maxNesting = 64;

/** Parse a compound expression into its tree; throws FilterSyntaxError pointing at the offending token. */
export function parseCompoundNode(input: string): CompoundNode {
  return parseBooleanExpression(input, parseStatement, 'empty compound expression: write e.g. "os.family=debian and not /web/"');
}

/**
 * Parse and/or/not/parentheses with the `-S` precedence and error messages,
 * handing each statement token to `parseLeaf`. `empty` is the message for an
 * expression with no tokens.
 */
export function parseBooleanExpression<L>(input: string, parseLeaf: LeafParser<L>, empty: string): BooleanTree<L> {
  const tokens = scan(input);
  if (tokens.length === 0) throw new FilterSyntaxError(empty, input, 0);
  const parser = new Parser(input, tokens, parseLeaf);
  const node = parser.parseOr(0);
  parser.expectEnd();
  return node;
}

class Parser<L> {
  readonly #input: string;
  readonly #tokens: readonly Token[];
  readonly #parseLeaf: LeafParser<L>;
  #pos = 0;

  constructor(input: string, tokens: readonly Token[], parseLeaf: LeafParser<L>) {
    this.#input = input;
    this.#tokens = tokens;
    this.#parseLeaf = parseLeaf;
  }

  parseOr(depth: number): BooleanTree<L> {
    const first = this.parseAnd(depth);
    if (this.#peek()?.type !== 'or') return first;
    const operands = [first];
    while (this.#peek()?.type === 'or') {
      this.#pos++;
      operands.push(this.parseAnd(depth));
    }
    return { kind: 'or', operands };
  }

  parseAnd(depth: number): BooleanTree<L> {
    const first = this.parseUnary(depth);
    if (this.#peek()?.type !== 'and') return first;
    const operands = [first];
    while (this.#peek()?.type === 'and') {
      this.#pos++;
      operands.push(this.parseUnary(depth));
    }
    return { kind: 'and', operands };
  }

  parseUnary(depth: number): BooleanTree<L> {
    const token = this.#peek();
    const previous = this.#tokens[this.#pos - 1];
    if (token === undefined) {
      // Only reachable after an operator or "(": the empty input was rejected up front.
      const last = previous ?? { type: 'statement', start: 0, end: this.#input.length };
      this.#fail(`"${this.#text(last)}" must be followed by a statement`, last);
    }
    if (depth > maxNesting) this.#fail(`expression nested more than ${maxNesting} levels deep: simplify it`, token);
    switch (token.type) {
      case 'statement':
        this.#pos++;
        return this.#parseLeaf(this.#input, token.start, token.end);
      case 'not':
        this.#pos++;
        return { kind: 'not', operand: this.parseUnary(depth + 1) };
      case '(':
        return this.#parseGroup(token, depth);
      case ')':
        if (previous === undefined || previous.type === '(') this.#fail('expected a statement before ")"', token);
        this.#fail(`"${this.#text(previous)}" must be followed by a statement, not ")"`, previous);
      // falls through: #fail never returns
      default:
        if (previous === undefined) this.#fail(`"${token.type}" at the start: an expression must begin with a statement`, token);
        this.#fail(`"${token.type}" cannot follow "${this.#text(previous)}": expected a statement`, token);
    }
  }

  /** The caller stopped at a token that does not continue the expression: report it. */
  expectEnd(): void {
    const token = this.#peek();
    if (token === undefined) return;
    if (token.type === ')') this.#fail('unbalanced ")": there is no matching "("', token);
    this.#unexpectedAfterStatement(token);
  }

  #parseGroup(open: Token, depth: number): BooleanTree<L> {
    this.#pos++;
    const next = this.#peek();
    if (next?.type === ')') this.#fail('empty parentheses "()"', { type: '(', start: open.start, end: next.end });
    const inner = this.parseOr(depth + 1);
    const close = this.#peek();
    if (close === undefined) this.#fail('unclosed "(": add the matching ")"', open);
    if (close.type !== ')') this.#unexpectedAfterStatement(close);
    this.#pos++;
    return inner;
  }

  #unexpectedAfterStatement(token: Token): never {
    this.#fail(`expected "and", "or" or ")" after a statement, found "${this.#text(token)}"`, token);
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }

  #text(token: Token): string {
    const text = this.#input.slice(token.start, token.end);
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
  }

  #fail(message: string, token: Token): never {
    throw new FilterSyntaxError(message, this.#input, token.start, token.end - token.start);
  }
}
