import type { Time } from './time.js';

/**
 * Retries with exponential backoff: a step's try that fails is tried again
 * up to `retries` times, waiting initial, 2×initial, 4×initial ... (at most
 * `max`) between tries. Errors marked `retryable: false` (a template without
 * a value, a refused token) fail at once.
 */

export interface RetryOptions {
  retries: number;
  initialMs: number;
  maxMs: number;
  time: Time;
  /** Stop retrying (the last error is thrown) when this aborts. */
  signal?: AbortSignal;
  onRetry?(err: unknown, nextTry: number, waitMs: number): void;
}

/** Milliseconds to wait before retry number `n` (1-based). */
export function backoffDelay(n: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, n - 1));
}

/** False for errors that another try cannot fix. */
export function isRetryable(err: unknown): boolean {
  return !(typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false);
}

/** Run `fn` (given the 1-based try number) until it succeeds or the tries are used up; throws the last error. */
export async function withRetries<T>(fn: (tryNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await fn(n);
    } catch (err) {
      if (n > options.retries || !isRetryable(err) || options.signal?.aborted) throw err;
      const wait = backoffDelay(n, options.initialMs, options.maxMs);
      options.onRetry?.(err, n + 1, wait);
      await options.time.sleep(wait, options.signal);
      if (options.signal?.aborted) throw err;
    }
  }
}
