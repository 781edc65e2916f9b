/** The logger the DNS service writes to (`@cohort/core/log`'s child loggers fit). */
export interface DnsLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/**
 * Logs bad queries at most `perWindow` times per window, then one summary of
 * how many were left out: a flood of garbage must not flood the log (or
 * slow the server down writing it).
 */
export class RateLimitedLog {
  readonly #log: DnsLog;
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = 0;
  #logged = 0;
  #suppressed = 0;

  constructor(log: DnsLog, options: { perWindow?: number; windowMs?: number; now?: () => number } = {}) {
    this.#log = log;
    this.#perWindow = options.perWindow ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  warn(message: string): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      if (this.#suppressed > 0) this.#log.warn(`${this.#suppressed} more bad quer${this.#suppressed === 1 ? 'y' : 'ies'} not logged in the last ${Math.round(this.#windowMs / 1000)} s`);
      this.#windowStart = now;
      this.#logged = 0;
      this.#suppressed = 0;
    }
    if (this.#logged < this.#perWindow) {
      this.#logged++;
      this.#log.warn(message);
    } else this.#suppressed++;
  }
}
