/**
 * Readers for parsed command-line arguments. yargs gives a repeated flag as an
 * array and a single one as a string; these normalise without `any`.
 */
export type Args = Readonly<Record<string, unknown>>;

/** All values of a repeatable flag, flattened (undefined → []). */
export function list(argv: Args, key: string): string[] {
  const v = argv[key];
  if (v === undefined || v === null || v === false) return [];
  return (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== null).map(String);
}

/** A flag's value as a string; a repeated flag yields its last value. */
export function str(argv: Args, key: string): string | undefined {
  const v = argv[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return String(v);
}

export function bool(argv: Args, key: string): boolean {
  const v = argv[key];
  return Array.isArray(v) ? v.some(Boolean) : v === true;
}

/** Comma-separated and repeated values, e.g. `--nats a,b --nats c` → [a, b, c]. */
export function commaList(argv: Args, key: string): string[] {
  return list(argv, key)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
