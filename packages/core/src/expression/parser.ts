import { ExpressionError } from './error.js';
import { tokenize, type Token } from './lexer.js';

/** A parsed expression. Every node keeps its 0-based position for error messages. */
export type Node =
  | { readonly t: 'literal'; readonly value: number | string | boolean | null; readonly pos: number }
  /** A (dotted) name: a check variable, a metric (`load.load1`, `disk['/var'].used_pct`). */
  | { readonly t: 'name'; readonly name: string; readonly pos: number }
  | { readonly t: 'unary'; readonly op: '!' | '-'; readonly arg: Node; readonly pos: number }
  | { readonly t: 'binary'; readonly op: BinaryOp; readonly left: Node; readonly right: Node; readonly pos: number }
  | { readonly t: 'logical'; readonly op: '&&' | '||'; readonly left: Node; readonly right: Node; readonly pos: number }
  | { readonly t: 'cond'; readonly test: Node; readonly then: Node; readonly otherwise: Node; readonly pos: number }
  | { readonly t: 'call'; readonly fn: string; readonly args: readonly Node[]; readonly pos: number };

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~' | '+' | '-' | '*' | '/' | '%';

/** A compiled expression: its source, its tree and the names it reads. */
export interface Expression {
  readonly source: string;
  readonly root: Node;
  /** Every name the expression reads (variables and metrics), in order of first use. */
  readonly names: readonly string[];
}

/** Deepest nesting accepted (parentheses, operators): bounds recursion on hostile input. */
export const maxExpressionDepth = 64;
/** Most nodes in one expression. */
export const maxExpressionNodes = 1000;

const comparisons = new Set(['==', '!=', '<', '<=', '>', '>=', '=~', '!~']);
const keywordLiterals: Readonly<Record<string, boolean | null>> = { true: true, false: false, null: null };

/**
 * Parse an expression of the check/detector language:
 *
 *   literals 1, 2.5, 1e3, 'text', "text", true, false, null
 *   names    crit, load.load1, disk['/var'].used_pct (dotted; `[...]` for odd segments)
 *   calls    max(a, b), grep('centos', '/etc/redhat-release'), fact('os.family')
 *   operators (loosest first)  ?:  || or  && and  ! not  == != < <= > >= =~ !~  + -  * / %  unary -
 *
 * Throws ExpressionError naming the expression and the position.
 */
export function parseExpression(source: string): Expression {
  const tokens = tokenize(source);
  let i = 0;
  let nodes = 0;
  let depth = 0;
  const names: string[] = [];

  const peek = (): Token => tokens[i] as Token;
  const fail = (reason: string, pos = peek().pos): never => {
    throw new ExpressionError(reason, source, pos);
  };
  const describe = (tok: Token) => (tok.type === 'end' ? 'end of expression' : tok.type === 'string' ? `string '${tok.value}'` : `'${tok.value}'`);
  const isOp = (v: string) => peek().type === 'op' && peek().value === v;
  const isWord = (v: string) => peek().type === 'ident' && peek().value === v;
  const expect = (v: string) => {
    if (!isOp(v)) fail(`expected '${v}' but found ${describe(peek())}`);
    i++;
  };
  const node = <N extends Node>(n: N): N => {
    if (++nodes > maxExpressionNodes) fail(`more than ${maxExpressionNodes} terms`, n.pos);
    return n;
  };
  const nested = <T>(pos: number, f: () => T): T => {
    if (++depth > maxExpressionDepth) fail(`nested deeper than ${maxExpressionDepth} levels`, pos);
    try {
      return f();
    } finally {
      depth--;
    }
  };

  function ternary(): Node {
    return nested(peek().pos, () => {
      const test = or();
      if (!isOp('?')) return test;
      const pos = peek().pos;
      i++;
      const then = ternary();
      expect(':');
      const otherwise = ternary();
      return node({ t: 'cond', test, then, otherwise, pos });
    });
  }

  function or(): Node {
    let left = and();
    while (isOp('||') || isWord('or')) {
      const pos = peek().pos;
      i++;
      left = node({ t: 'logical', op: '||', left, right: and(), pos });
    }
    return left;
  }

  function and(): Node {
    let left = not();
    while (isOp('&&') || isWord('and')) {
      const pos = peek().pos;
      i++;
      left = node({ t: 'logical', op: '&&', left, right: not(), pos });
    }
    return left;
  }

  function not(): Node {
    if (isOp('!') || isWord('not')) {
      const pos = peek().pos;
      i++;
      return nested(pos, () => node({ t: 'unary', op: '!', arg: not(), pos }));
    }
    return comparison();
  }

  function comparison(): Node {
    const left = additive();
    const tok = peek();
    if (tok.type !== 'op' || !comparisons.has(tok.value)) return left;
    i++;
    const right = additive();
    const next = peek();
    if (next.type === 'op' && comparisons.has(next.value)) fail(`comparisons do not chain; use && between them`, next.pos);
    return node({ t: 'binary', op: tok.value as BinaryOp, left, right, pos: tok.pos });
  }

  function additive(): Node {
    let left = multiplicative();
    while (isOp('+') || isOp('-')) {
      const tok = peek();
      i++;
      left = node({ t: 'binary', op: tok.value as BinaryOp, left, right: multiplicative(), pos: tok.pos });
    }
    return left;
  }

  function multiplicative(): Node {
    let left = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const tok = peek();
      i++;
      left = node({ t: 'binary', op: tok.value as BinaryOp, left, right: unary(), pos: tok.pos });
    }
    return left;
  }

  function unary(): Node {
    if (isOp('-')) {
      const pos = peek().pos;
      i++;
      return nested(pos, () => node({ t: 'unary', op: '-', arg: unary(), pos }));
    }
    if (isOp('!') || isWord('not')) return not();
    return primary();
  }

  function primary(): Node {
    const tok = peek();
    if (tok.type === 'number') {
      i++;
      return node({ t: 'literal', value: tok.num ?? Number(tok.value), pos: tok.pos });
    }
    if (tok.type === 'string') {
      i++;
      return node({ t: 'literal', value: tok.value, pos: tok.pos });
    }
    if (isOp('(')) {
      i++;
      const inner = ternary();
      expect(')');
      return inner;
    }
    if (tok.type === 'ident') {
      if (tok.value in keywordLiterals && Object.hasOwn(keywordLiterals, tok.value)) {
        i++;
        return node({ t: 'literal', value: keywordLiterals[tok.value] ?? null, pos: tok.pos });
      }
      if (tok.value === 'and' || tok.value === 'or' || tok.value === 'not') fail(`unexpected '${tok.value}'`);
      i++;
      if (isOp('(')) return call(tok);
      return name(tok);
    }
    return fail(`expected a value but found ${describe(tok)}`);
  }

  function call(fn: Token): Node {
    i++; // (
    const args: Node[] = [];
    if (!isOp(')')) {
      for (;;) {
        args.push(ternary());
        if (isOp(')')) break;
        expect(',');
      }
    }
    i++; // )
    return node({ t: 'call', fn: fn.value, args, pos: fn.pos });
  }

  function name(first: Token): Node {
    const segments = [first.value];
    for (;;) {
      if (isOp('.')) {
        i++;
        const seg = peek();
        // Segments after a dot may start with a digit (net.eth0, cpu.0.user).
        if (seg.type === 'ident' || (seg.type === 'number' && /^\d+$/.test(seg.value))) {
          segments.push(seg.value);
          i++;
        } else fail(`expected a name after '.' but found ${describe(seg)}`);
      } else if (isOp('[')) {
        i++;
        const seg = peek();
        if (seg.type !== 'string') fail(`expected a quoted name inside [ ] but found ${describe(seg)}`);
        segments.push(seg.value);
        i++;
        expect(']');
      } else break;
    }
    const full = segments.join('.');
    if (!names.includes(full)) names.push(full);
    return node({ t: 'name', name: full, pos: first.pos });
  }

  const root = ternary();
  if (peek().type !== 'end') fail(`unexpected ${describe(peek())}`);
  return { source, root, names };
}
