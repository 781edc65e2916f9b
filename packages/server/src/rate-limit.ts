import type { Logger } from '@cohort/core/log';

/**
 * Logs at most one warning per key per interval, then says how many were
 * suppressed, so a flood of bad messages cannot flood the log.
 */
export class RateLimitedLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #clock: () => number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(log: Logger, intervalMs = 10_000, clock: () => number = Date.now) {
    this.#log = log;
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** Warn about `message` unless the same `key` was logged within the interval. */
  warn(key: string, message: string, meta: Record<string, unknown> = {}): void {
    const now = this.#clock();
    const seen = this.#last.get(key);
    if (seen && now - seen.at < this.#intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.#last.set(key, { at: now, suppressed: 0 });
    this.#log.warn(suppressed ? `${message} (${suppressed} similar suppressed)` : message, meta);
  }
}
