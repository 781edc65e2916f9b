/**
 * `{{name}}` templates for the final node config and the notifications.
 * `{{identity}}`, `{{facts.region}}` (dotted paths into the variables) are
 * replaced by the value as text; `{{facts.region|json}}` by its JSON form,
 * which is also a valid YAML scalar (safe for values with quotes or colons).
 * A name without a value is an error naming it, never an empty string.
 */

const placeholder = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*(\w+)\s*)?\}\}/g;
const filters = ['json', 'text'] as const;

/** A template referenced a name that has no value, or used an unknown filter. */
export class TemplateError extends Error {
  readonly code = 'TEMPLATE';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** The names (dotted paths) a template uses, in order of first use. */
export function templateNames(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(placeholder)) names.add(m[1] ?? '');
  return [...names];
}

/** Check a template's syntax: unknown filters and `{{` without a valid name. Returns the problem or undefined. */
export function checkTemplate(template: string, roots: readonly string[]): string | undefined {
  for (const m of template.matchAll(placeholder)) {
    const filter = m[2];
    if (filter !== undefined && !(filters as readonly string[]).includes(filter)) return `unknown filter '|${filter}' in ${m[0]} (use |json or |text)`;
    const root = (m[1] ?? '').split('.')[0] ?? '';
    if (!roots.includes(root)) return `unknown name '${m[1]}' in ${m[0]} (known: ${roots.join(', ')})`;
  }
  const stray = template.replace(placeholder, '').indexOf('{{');
  if (stray >= 0) return `'{{' at offset ${stray} does not start a valid {{name}} placeholder`;
  return undefined;
}

/** The value at a dotted path, or undefined. */
export function lookup(vars: unknown, path: string): unknown {
  let node = vars;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export interface RenderOptions {
  /** Names the template in errors (default `template`). */
  what?: string;
  /** Render a name without a value as '' instead of throwing (notifications). */
  lenient?: boolean;
}

/** Fill in a template. Throws TemplateError naming the first name without a value (unless lenient). */
export function renderTemplate(template: string, vars: Readonly<Record<string, unknown>>, options: RenderOptions = {}): string {
  const what = options.what ?? 'template';
  return template.replace(placeholder, (whole, path: string, filter: string | undefined) => {
    const value = lookup(vars, path);
    if (value === undefined || value === null) {
      if (options.lenient) return '';
      throw new TemplateError(`${what}: ${whole} has no value for this node (is the fact or setting missing?)`);
    }
    if (filter === 'json') return JSON.stringify(value);
    if (filter === undefined || filter === 'text') return asText(value);
    throw new TemplateError(`${what}: unknown filter '|${filter}' in ${whole} (use |json or |text)`);
  });
}
