/**
 * Durations in mine settings: a number of seconds (`60`) or a number with a
 * unit (`500ms`, `20s`, `5m`, `1h`, `1d`). Returns milliseconds, or a reason.
 */
const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseMineDuration(value: unknown): number | string {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : `must be a positive number of seconds (got ${value})`;
  }
  if (typeof value !== 'string') return `must be a duration such as 60s, 5m or 1h (got ${JSON.stringify(value)})`;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) return `must be a duration such as 60s, 5m or 1h (got '${value}')`;
  const ms = Math.round(Number(m[1]) * (units[m[2] ?? 's'] ?? 1000));
  return ms > 0 ? ms : `must be above zero (got '${value}')`;
}

/** A duration for people: `90s` → `1m30s`, `300000` ms → `5m`. */
export function formatMineDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let s = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.join('');
}
