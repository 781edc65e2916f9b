import { UsageError } from '../errors.js';

/**
 * Quantities typed by operators, in config files and flags: durations, ages,
 * sizes and message counts. The client spec checks its settings with these
 * (so a bad value is refused naming the file, variable or flag it came from)
 * and the client converts them with the same functions.
 */

const durationPattern = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m)?$/;
const ageUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const byteUnits: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A duration in seconds: a bare number in `unit`, or a number with `ms`, `s` or `m`; undefined when not one. */
export function durationSeconds(value: unknown, unit: 's' | 'ms'): number | undefined {
  const m = durationPattern.exec(String(value).trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const u = m[2] ?? unit;
  return u === 'ms' ? n / 1000 : u === 'm' ? n * 60 : n;
}

/**
 * Parse a duration typed by an operator: a bare number in `unit`, or a number
 * with `ms`, `s` or `m`. Returns seconds. Throws UsageError naming `what`.
 */
export function parseDuration(value: unknown, unit: 's' | 'ms', what: string): number {
  const seconds = durationSeconds(value, unit);
  if (seconds === undefined) {
    throw new UsageError(`${what} '${String(value).trim()}' is not a duration: give a number of ${unit === 's' ? 'seconds' : 'milliseconds'} or e.g. 500ms, 2s`);
  }
  return seconds;
}

/** `90`, `90s`, `30m`, `24h`, `7d` → seconds (at least 1); undefined when not an age. */
export function ageSeconds(value: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])?$/i.exec(String(value).trim());
  const seconds = m ? Number(m[1]) * (ageUnits[(m[2] ?? 's').toLowerCase()] ?? 1) : NaN;
  return seconds >= 1 ? Math.round(seconds) : undefined;
}

/** `90`, `90s`, `30m`, `24h`, `7d` → seconds (at least 1). Throws UsageError naming `what`. */
export function parseAge(value: unknown, what: string): number {
  const seconds = ageSeconds(value);
  if (seconds === undefined) throw new UsageError(`${what} '${String(value)}' is not an age: give seconds or e.g. 30m, 24h, 7d (at least 1 s)`);
  return seconds;
}

/** `1048576`, `512KiB`, `256MiB`, `1GB` → bytes (at least 1 KiB); undefined when not a size. */
export function sizeBytes(value: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i.exec(String(value).trim());
  const bytes = m ? Number(m[1]) * (byteUnits[(m[2] ?? 'b').toLowerCase()] ?? 1) : NaN;
  return bytes >= 1024 ? Math.floor(bytes) : undefined;
}

/** `1048576`, `512KiB`, `256MiB`, `1GB` → bytes (at least 1 KiB). Throws UsageError naming `what`. */
export function parseBytes(value: unknown, what: string): number {
  const bytes = sizeBytes(value);
  if (bytes === undefined) throw new UsageError(`${what} '${String(value)}' is not a size: give bytes or e.g. 512KiB, 256MiB, 1GiB (at least 1 KiB)`);
  return bytes;
}

/** A positive whole number of messages; undefined when not one. */
export function messageCount(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : Number(String(value).trim().replace(/_/g, ''));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** A positive whole number of messages. Throws UsageError naming `what`. */
export function parseMessages(value: unknown, what: string): number {
  const n = messageCount(value);
  if (n === undefined) throw new UsageError(`${what} '${String(value)}' must be a whole number of messages, at least 1`);
  return n;
}
