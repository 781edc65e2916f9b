import { UsageError } from '@cohort/core';

/**
 * Parse a duration typed by an operator: a bare number in `unit`, or a number
 * with `ms`, `s` or `m`. Returns seconds. Throws UsageError naming `what`.
 */
export function parseDuration(value: unknown, unit: 's' | 'ms', what: string): number {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?$/.exec(text);
  if (!m) throw new UsageError(`${what} '${text}' is not a duration: give a number of ${unit === 's' ? 'seconds' : 'milliseconds'} or e.g. 500ms, 2s`);
  const n = Number(m[1]);
  const u = m[2] ?? unit;
  return u === 'ms' ? n / 1000 : u === 'm' ? n * 60 : n;
}
