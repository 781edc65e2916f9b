import { statSync } from 'node:fs';

/**
 * A value loaded from files and reloaded when they change, checked at most
 * once per interval (so the hot path costs a clock comparison, not a stat).
 * When a reload fails the previous value stays and `onError` hears why.
 */
export class Refreshing<T> {
  readonly #load: () => T;
  readonly #paths: () => readonly string[];
  readonly #intervalMs: number;
  readonly #onError: ((err: unknown) => void) | undefined;
  #value: T;
  #stamp: string;
  #checkedAt: number;

  /** Loads once now (errors propagate: a broken file at startup is a startup error). */
  constructor(options: { load: () => T; paths: () => readonly string[]; intervalMs?: number; onError?: (err: unknown) => void; now?: number }) {
    this.#load = options.load;
    this.#paths = options.paths;
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#onError = options.onError;
    this.#stamp = stampOf(this.#paths());
    this.#value = this.#load();
    this.#checkedAt = options.now ?? Date.now();
  }

  /** The current value, reloading first when a file changed and the interval has passed. */
  get(now: number = Date.now()): T {
    if (now - this.#checkedAt < this.#intervalMs) return this.#value;
    this.#checkedAt = now;
    const stamp = stampOf(this.#paths());
    if (stamp === this.#stamp) return this.#value;
    this.#stamp = stamp;
    try {
      this.#value = this.#load();
    } catch (err) {
      this.#onError?.(err);
    }
    return this.#value;
  }
}

/** Modification time and size of each path (or `-` when missing), as one string. */
export function stampOf(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        const s = statSync(p);
        return `${s.mtimeMs}:${s.size}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}
