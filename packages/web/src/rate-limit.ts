/**
 * Login rate limiting: at most `max` failed attempts per key (a user name, a
 * client address) within `windowMs`; past that, attempts are refused until
 * the oldest failure leaves the window. A success clears the user's count
 * (not the address's: one good password must not unlock guessing others).
 */
export class RateLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly max: number;
  readonly windowMs: number;
  readonly #now: () => number;

  constructor(options: { max: number; windowMs: number; now?: () => number }) {
    this.max = options.max;
    this.windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** Seconds until `key` may try again (0: now). */
  retryAfter(key: string): number {
    const now = this.#now();
    const list = this.#recent(key, now);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.max]! + this.windowMs - now) / 1000));
  }

  fail(key: string): void {
    const now = this.#now();
    const list = this.#recent(key, now);
    list.push(now);
    this.#failures.set(key, list);
    if (this.#failures.size > 100_000) this.#sweep(now);
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }

  #sweep(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
  }
}
