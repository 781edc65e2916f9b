import { mineNamePattern } from './parse.js';
import type { MineValue } from './types.js';

/** Shape check for a MineValue read from the bucket (for verifyData's `check`). */
export function mineValueProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the value is not an object';
  const o = v as Record<string, unknown>;
  if (typeof o['function'] !== 'string' || !mineNamePattern.test(o['function'])) return 'the value names no valid function';
  if (typeof o['identity'] !== 'string') return 'the value names no identity';
  for (const k of ['time', 'interval', 'duration_ms', 'statuscode']) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) return `the value's ${k} is not a number`;
  if (typeof o['statusmsg'] !== 'string' || typeof o['source'] !== 'string') return 'the value has no status message or source';
  if (o['data'] !== undefined && (typeof o['data'] !== 'object' || o['data'] === null || Array.isArray(o['data']))) return "the value's data is not an object";
  if (o['output'] !== undefined && typeof o['output'] !== 'string') return "the value's output is not text";
  return undefined;
}

/** How old a value may get before it is stale: `maxAgeMs` when given, else twice its interval. */
export function mineStaleAfterMs(value: Pick<MineValue, 'interval'>, maxAgeMs?: number): number {
  return maxAgeMs ?? value.interval * 2000;
}

/** Is the value stale at `now`? */
export function isMineValueStale(value: Pick<MineValue, 'interval' | 'time'>, now: number, maxAgeMs?: number): boolean {
  return now - value.time > mineStaleAfterMs(value, maxAgeMs);
}
