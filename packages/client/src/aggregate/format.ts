/**
 * MCollective-style format strings for aggregate output (Ruby's `format` /
 * Go's `fmt.Sprintf` subset DDL authors use): `%s`, `%d`, `%i`, `%f`, `%.Nf`,
 * `%%`, with flags `-` (left-justify), `0` (zero-pad numbers), `+` and space
 * (sign), a width (`%10s`) and a precision (`%.2f`; truncates `%s`).
 * Arguments are consumed in order; a missing one prints as empty.
 */

const directive = /%([-+ 0]*)(\d+)?(?:\.(\d+))?([sdif%])/g;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function signed(n: number, body: string, flags: string): string {
  if (n < 0 || Object.is(n, -0)) return `-${body}`;
  if (flags.includes('+')) return `+${body}`;
  if (flags.includes(' ')) return ` ${body}`;
  return body;
}

function pad(s: string, width: number, flags: string, numeric: boolean): string {
  if (s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(s) ? s.charAt(0) : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

function convert(conv: string, arg: unknown, flags: string, precision: number | undefined): [string, boolean] {
  if (conv === 's') {
    const s = text(arg);
    return [precision === undefined ? s : s.slice(0, precision), false];
  }
  const n = typeof arg === 'number' ? arg : typeof arg === 'string' && arg.trim() !== '' ? Number(arg) : Number.NaN;
  // Ruby would raise on a non-number; a summary line is more useful with the raw value.
  if (!Number.isFinite(n)) return [text(arg), false];
  if (conv === 'f') return [signed(n, Math.abs(n).toFixed(precision ?? 6), flags), true];
  return [signed(n, String(Math.abs(Math.trunc(n))), flags), true];
}

/** Format `args` with an MCollective/printf-style format string (see module docs). */
export function formatString(format: string, args: readonly unknown[]): string {
  let next = 0;
  type Part = string | undefined;
  return format.replace(directive, (_m, flags: string, width: Part, precision: Part, conv: string) => {
    if (conv === '%') return '%';
    const [body, numeric] = convert(conv, args[next++], flags, precision === undefined ? undefined : Number(precision));
    return pad(body, width === undefined ? 0 : Number(width), flags, numeric);
  });
}

/** A number for default summary text: integers as they are, others rounded to 2 decimals. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2)));
}
