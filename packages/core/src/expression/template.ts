import { ExpressionError } from './error.js';
import { evaluate, type Scope, type Value } from './evaluate.js';
import { maxExpressionLength } from './lexer.js';
import { parseExpression, type Expression } from './parser.js';

/** A parsed output template: text with `{{ expression }}` holes. */
export interface Template {
  readonly source: string;
  readonly parts: ReadonlyArray<string | { readonly expr: Expression; readonly offset: number }>;
  /** Names read by the holes. */
  readonly names: readonly string[];
}

/**
 * Parse `"load is {{ load.load1 }} (warn {{ warn }})"`. Throws
 * ExpressionError with the position in the whole template.
 */
export function parseTemplate(source: string): Template {
  if (source.length > maxExpressionLength) throw new ExpressionError(`template longer than ${maxExpressionLength} characters`, source, maxExpressionLength);
  const parts: Array<string | { expr: Expression; offset: number }> = [];
  const names: string[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      parts.push(source.slice(i));
      break;
    }
    if (open > i) parts.push(source.slice(i, open));
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new ExpressionError("'{{' without a closing '}}'", source, open);
    const inner = source.slice(open + 2, close);
    try {
      const expr = parseExpression(inner);
      parts.push({ expr, offset: open + 2 });
      for (const n of expr.names) if (!names.includes(n)) names.push(n);
    } catch (err) {
      if (err instanceof ExpressionError) throw new ExpressionError(err.message.replace(/ at position \d+ in expression '.*'$/s, ''), source, open + 2 + err.position);
      throw err;
    }
    i = close + 2;
  }
  return { source, parts, names };
}

/** A value as text in output: numbers with at most 2 decimals, lists comma separated. */
export function formatValue(v: Value): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  return v === null ? 'null' : String(v);
}

/** Fill a template's holes. Throws ExpressionError positioned in the whole template. */
export async function renderTemplate(template: Template, scope: Scope): Promise<string> {
  let out = '';
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    try {
      out += formatValue(await evaluate(part.expr, scope));
    } catch (err) {
      if (err instanceof ExpressionError) throw new ExpressionError(err.message.replace(/ at position \d+ in expression '.*'$/s, ''), template.source, part.offset + err.position);
      throw err;
    }
  }
  return out;
}
