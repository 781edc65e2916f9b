/**
 * A tiny bounded memo for the filter hot path: parsed compounds, compiled
 * regexes and split fact paths. When full it is simply cleared; the working
 * set of filters on a fleet is small, so this keeps memory bounded without
 * the bookkeeping of an LRU.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #limit: number;

  constructor(limit = 512) {
    this.#limit = limit;
  }

  /** The cached value, or undefined when absent. */
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Is there an entry for `key` (needed when the cached value itself may be null)? */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Store `value`; clears everything first when the cache is full. */
  set(key: K, value: V): V {
    if (this.#entries.size >= this.#limit) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
