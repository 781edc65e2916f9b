/**
 * Small text helpers for terminal output: value formatting, columns, colour.
 */

/** ANSI colours used in the footer. */
export const colours = { green: 32, yellow: 33, red: 31, bold: 1 } as const;
export type Colour = keyof typeof colours;

/** Wrap `text` in an ANSI colour when `enabled` (stdout is a terminal). */
export function colour(text: string, c: Colour, enabled: boolean): string {
  return enabled ? `\u001b[${colours[c]}m${text}\u001b[0m` : text;
}

/**
 * A reply value as text: strings as they are, numbers/booleans via String,
 * null/undefined as empty, objects and arrays as compact JSON when that fits in
 * `width`, otherwise indented JSON (continuation lines indented by `indent`).
 */
export function formatValue(value: unknown, width = 80, indent = 0): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  const compact = JSON.stringify(value) ?? '';
  if (compact.length <= width) return compact;
  const pad = ' '.repeat(indent);
  return (JSON.stringify(value, null, 2) ?? '')
    .split('\n')
    .map((line, i) => (i === 0 ? line : pad + line))
    .join('\n');
}

/** Lay `items` out in left-aligned columns that fit `width`, each line indented by `indent` spaces. */
export function columns(items: readonly string[], width = 80, indent = 3): string[] {
  if (items.length === 0) return [];
  const cell = Math.max(...items.map((s) => s.length)) + 2;
  const perRow = Math.max(1, Math.floor((width - indent) / cell));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perRow) {
    const row = items.slice(i, i + perRow);
    lines.push(' '.repeat(indent) + row.map((s, j) => (j === row.length - 1 ? s : s.padEnd(cell))).join(''));
  }
  return lines;
}

/** Milliseconds for display: whole numbers. */
export function ms(value: number): string {
  return String(Math.round(value));
}
