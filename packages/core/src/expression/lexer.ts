import { ExpressionError } from './error.js';

export type TokenType = 'number' | 'string' | 'ident' | 'op' | 'end';

export interface Token {
  readonly type: TokenType;
  /** The number's value, the string's contents, the identifier or the operator. */
  readonly value: string;
  readonly num?: number;
  readonly pos: number;
}

/** Longest expression accepted (rules are short; this bounds the work a hostile one can ask for). */
export const maxExpressionLength = 4096;

// Longest first so `<=` wins over `<`.
const operators = ['&&', '||', '==', '!=', '<=', '>=', '=~', '!~', '<', '>', '+', '-', '*', '/', '%', '!', '?', ':', '(', ')', '[', ']', ',', '.'];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isIdentPart = (c: string | undefined) => isIdentStart(c) || isDigit(c);

const escapes: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

/** Split an expression into tokens; throws ExpressionError at the first character that fits no token. */
export function tokenize(src: string): Token[] {
  if (src.length > maxExpressionLength) throw new ExpressionError(`longer than ${maxExpressionLength} characters`, src, maxExpressionLength);
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1]) && !isIdentPart(src[i - 1]))) {
      const m = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
      const text: string = m?.[0] ?? (c as string);
      if (isIdentStart(src[i + text.length])) throw new ExpressionError(`bad number '${text}${src[i + text.length]}'`, src, start);
      tokens.push({ type: 'number', value: text, num: Number(text), pos: start });
      i += text.length;
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(src[i])) i++;
      tokens.push({ type: 'ident', value: src.slice(start, i), pos: start });
      continue;
    }
    if (c === "'" || c === '"') {
      let out = '';
      i++;
      for (;;) {
        const d = src[i];
        if (d === undefined) throw new ExpressionError('unterminated string', src, start);
        if (d === c) break;
        if (d === '\\') {
          const e = src[i + 1];
          const mapped = e === undefined ? undefined : escapes[e];
          if (mapped === undefined) throw new ExpressionError(`unknown escape '\\${e ?? ''}' in string`, src, i);
          out += mapped;
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
      i++;
      tokens.push({ type: 'string', value: out, pos: start });
      continue;
    }
    const op = operators.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ExpressionError(`unexpected character '${c}'`, src, start);
    tokens.push({ type: 'op', value: op, pos: start });
    i += op.length;
  }
  tokens.push({ type: 'end', value: '', pos: src.length });
  return tokens;
}
