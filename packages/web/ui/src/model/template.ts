/**
 * A plugin's optional results template (the seed's "receives plugin results,
 * generated HTML embedded on the page"), in a logic-less Mustache subset:
 * `{{name}}` / `{{a.b}}` (always HTML-escaped; `{{{x}}}` is escaped too),
 * sections `{{#list}}...{{/list}}` (repeated per item, or once when truthy)
 * and inverted sections `{{^x}}...{{/x}}`. The page shows the result in an
 * iframe with `sandbox` (no scripts, an opaque origin) through `srcdoc`, so
 * even a hostile template cannot run script or reach the console.
 */

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => escapes[c] ?? c);
}

function lookup(stack: readonly unknown[], path: string): unknown {
  if (path === '.') return stack[stack.length - 1];
  const [head = '', ...rest] = path.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    const ctx = stack[i];
    if (typeof ctx === 'object' && ctx !== null && Object.hasOwn(ctx, head)) {
      let v: unknown = (ctx as Record<string, unknown>)[head];
      for (const key of rest) v = typeof v === 'object' && v !== null && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
      return v;
    }
  }
  return undefined;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function truthy(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : Boolean(v);
}

const tag = /\{\{\{?\s*([#^/]?)\s*([\w.-]+|\.)\s*\}?\}\}/g;

/** Render `template` with `view`. Throws naming the tag when sections do not nest. */
export function renderTemplate(template: string, view: unknown): string {
  const render = (src: string, stack: unknown[]): string => {
    let out = '';
    let last = 0;
    tag.lastIndex = 0;
    const re = new RegExp(tag.source, 'g');
    let m: RegExpExecArray | null;
    while ((m = re.exec(src)) !== null) {
      const [whole, kind = '', name = ''] = m;
      out += src.slice(last, m.index);
      last = m.index + whole.length;
      if (kind === '') {
        out += escapeHtml(text(lookup(stack, name)));
      } else if (kind === '/') {
        throw new Error(`results template: {{/${name}}} closes no open section`);
      } else {
        // Find the matching close, counting nested sections of the same name.
        let depth = 1;
        const inner = new RegExp(tag.source, 'g');
        inner.lastIndex = last;
        let close: RegExpExecArray | null = null;
        let n: RegExpExecArray | null;
        while ((n = inner.exec(src)) !== null) {
          if (n[2] !== name) continue;
          if (n[1] === '#' || n[1] === '^') depth++;
          else if (n[1] === '/' && --depth === 0) {
            close = n;
            break;
          }
        }
        if (close === null) throw new Error(`results template: {{${kind}${name}}} is never closed`);
        const body = src.slice(last, close.index);
        const value = lookup(stack, name);
        if (kind === '^') {
          if (!truthy(value)) out += render(body, stack);
        } else if (Array.isArray(value)) {
          for (const item of value) out += render(body, [...stack, item]);
        } else if (truthy(value)) {
          out += render(body, [...stack, value]);
        }
        last = close.index + close[0].length;
        re.lastIndex = last;
      }
    }
    return out + src.slice(last);
  };
  return render(template, [view]);
}
