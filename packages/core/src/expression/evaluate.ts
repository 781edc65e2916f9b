import { compileRegex, type FilterRegex } from '../filter/regex.js';
import { ExpressionError } from './error.js';
import type { Expression, Node } from './parser.js';

/** A value in the language. `undefined` never escapes: a missing name is an error (or false in exists()). */
export type Value = number | string | boolean | null | readonly Value[];

/** Longest string a computation may build. */
export const maxStringLength = 64 * 1024;

/** A function the host (check kind, detector) provides, e.g. grep() reading files. */
export type HostFunction = (args: readonly Value[]) => Value | Promise<Value>;

/** What an expression can see. */
export interface Scope {
  /** The value of a (dotted) name, undefined when unknown. */
  lookup(name: string): Value | undefined;
  /** Extra functions by name (grep, fact, ...); they may throw Error with a reason. */
  readonly functions?: Readonly<Record<string, HostFunction>>;
}

const describeValue = (v: Value): string => (typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}'` : Array.isArray(v) ? 'a list' : String(v));
const typeOf = (v: Value): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** Truthiness: false, null, 0, NaN, '' and [] are false. */
export function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** Built-in functions; `exists` is special (its argument may be an unknown name). */
const builtins: Readonly<Record<string, (args: readonly Value[], fail: (reason: string) => never) => Value>> = {
  min: (args, fail) => numbers('min', args, fail, 1).reduce((a, b) => Math.min(a, b)),
  max: (args, fail) => numbers('max', args, fail, 1).reduce((a, b) => Math.max(a, b)),
  abs: (args, fail) => Math.abs(numbers('abs', args, fail, 1, 1)[0] as number),
  round: (args, fail) => {
    const [x, digits = 0] = numbers('round', args, fail, 1, 2);
    if (!Number.isInteger(digits) || digits < 0 || digits > 15) fail(`round(): digits must be an integer from 0 to 15 (got ${digits})`);
    const f = 10 ** digits;
    return Math.round((x as number) * f) / f;
  },
  number: (args, fail) => {
    if (args.length !== 1) fail(`number() takes 1 argument (got ${args.length})`);
    const v = args[0] as Value;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isNaN(n)) fail(`number(): ${describeValue(v)} is not a number`);
    return n;
  },
  lower: (args, fail) => {
    if (args.length !== 1 || typeof args[0] !== 'string') fail('lower() takes 1 string');
    return (args[0] as string).toLowerCase();
  },
  contains: (args, fail) => {
    const [hay, needle] = args;
    if (args.length !== 2 || typeof needle !== 'string') fail('contains() takes a string or list and a string');
    if (typeof hay === 'string') return hay.includes(needle as string);
    if (Array.isArray(hay)) return hay.includes(needle as string);
    return fail(`contains(): ${describeValue(hay ?? null)} is not a string or list`);
  },
};

function numbers(fn: string, args: readonly Value[], fail: (reason: string) => never, min: number, max = Infinity): number[] {
  if (args.length < min || args.length > max) fail(`${fn}() takes ${max === Infinity ? `at least ${min}` : min === max ? min : `${min} to ${max}`} argument(s) (got ${args.length})`);
  return args.map((a, n) => (typeof a === 'number' ? a : fail(`${fn}(): argument ${n + 1} is ${describeValue(a)}, not a number`)));
}

/** The names of the built-in functions (hosts add grep, fact, metric...). */
export const builtinFunctionNames: readonly string[] = Object.freeze(['exists', ...Object.keys(builtins)]);

/**
 * Evaluate a parsed expression. Never runs JavaScript from the input: the
 * tree is walked, names are looked up in the scope, functions come from a
 * fixed table. Regexes (`=~`) are RE2 (linear time, case-insensitive).
 * Throws ExpressionError (unknown name, wrong type, failing function) naming
 * the expression and the position.
 */
export async function evaluate(expr: Expression, scope: Scope): Promise<Value> {
  const fail = (reason: string, pos: number): never => {
    throw new ExpressionError(reason, expr.source, pos);
  };

  const regexes = new Map<string, FilterRegex>();
  function regex(source: string, pos: number): FilterRegex {
    const hit = regexes.get(source);
    if (hit) return hit;
    const re = compileRegex(source);
    if (typeof re === 'string') return fail(`bad regular expression ${describeValue(source)}: ${re}`, pos);
    regexes.set(source, re);
    return re;
  }

  async function ev(n: Node): Promise<Value> {
    switch (n.t) {
      case 'literal':
        return n.value;
      case 'name': {
        const v = scope.lookup(n.name);
        return v === undefined ? fail(`unknown name '${n.name}'`, n.pos) : v;
      }
      case 'unary': {
        const v = await ev(n.arg);
        if (n.op === '!') return !truthy(v);
        return typeof v === 'number' ? -v : fail(`cannot negate ${typeOf(v)} ${describeValue(v)}`, n.pos);
      }
      case 'logical': {
        const left = truthy(await ev(n.left));
        if (n.op === '&&' ? !left : left) return left;
        return truthy(await ev(n.right));
      }
      case 'cond':
        return truthy(await ev(n.test)) ? ev(n.then) : ev(n.otherwise);
      case 'binary':
        return binary(n.op, await ev(n.left), await ev(n.right), n.pos);
      case 'call':
        return call(n);
    }
  }

  function binary(op: Extract<Node, { t: 'binary' }>['op'], a: Value, b: Value, pos: number): Value {
    switch (op) {
      case '==':
        return equal(a, b);
      case '!=':
        return !equal(a, b);
      case '=~':
      case '!~': {
        if (typeof a !== 'string' || typeof b !== 'string') return fail(`'${op}' needs a string on the left and a regular expression string on the right (got ${typeOf(a)} and ${typeOf(b)})`, pos);
        const found = regex(b, pos).test(a);
        return op === '=~' ? found : !found;
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
          return fail(`cannot compare ${typeOf(a)} ${describeValue(a)} with ${typeOf(b)} ${describeValue(b)} using '${op}'`, pos);
        }
        return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        if (op === '+' && typeof a === 'string' && typeof b === 'string') {
          if (a.length + b.length > maxStringLength) return fail(`string longer than ${maxStringLength} characters`, pos);
          return a + b;
        }
        if (typeof a !== 'number' || typeof b !== 'number') return fail(`'${op}' needs numbers (got ${typeOf(a)} ${describeValue(a)} and ${typeOf(b)} ${describeValue(b)})`, pos);
        if ((op === '/' || op === '%') && b === 0) return fail('division by zero', pos);
        return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      }
    }
  }

  async function call(n: Extract<Node, { t: 'call' }>): Promise<Value> {
    if (n.fn === 'exists') {
      if (n.args.length !== 1) return fail(`exists() takes 1 argument (got ${n.args.length})`, n.pos);
      const arg = n.args[0] as Node;
      if (arg.t === 'name') return scope.lookup(arg.name) !== undefined;
      try {
        const v = await ev(arg);
        return v !== null;
      } catch {
        return false;
      }
    }
    const args: Value[] = [];
    for (const a of n.args) args.push(await ev(a));
    const host = scope.functions && Object.hasOwn(scope.functions, n.fn) ? scope.functions[n.fn] : undefined;
    if (host) {
      try {
        return await host(args);
      } catch (err) {
        if (err instanceof ExpressionError) throw err;
        return fail(`${n.fn}(): ${err instanceof Error ? err.message : String(err)}`, n.pos);
      }
    }
    const builtin = Object.hasOwn(builtins, n.fn) ? builtins[n.fn] : undefined;
    if (builtin) return builtin(args, (reason) => fail(reason, n.pos));
    const known = [...builtinFunctionNames, ...Object.keys(scope.functions ?? {})].sort();
    return fail(`unknown function '${n.fn}' (known: ${known.join(', ')})`, n.pos);
  }

  return ev(expr.root);
}

function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, k) => equal(x, b[k] as Value));
  }
  return a === b;
}
