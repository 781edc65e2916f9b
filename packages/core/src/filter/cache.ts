/**
 * A tiny bounded memo for the filter hot path: parsed compounds, compiled
 * regexes and split fact paths. Bounded by entries and, when `weigh` is
 * given, by total weight (e.g. source characters: a parsed 4 KiB compound
 * costs far more than a parsed `role=web`). When full it is simply cleared;
 * the working set of filters on a fleet is small, so this keeps memory
 * bounded without the bookkeeping of an LRU. An entry heavier than a quarter
 * of the budget is not kept at all.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #limit: number;
  readonly #maxWeight: number;
  readonly #weigh: ((key: K) => number) | undefined;
  #weight = 0;

  constructor(limit = 512, options: { maxWeight?: number; weigh?: (key: K) => number } = {}) {
    this.#limit = limit;
    this.#maxWeight = options.maxWeight ?? Infinity;
    this.#weigh = options.weigh;
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
    const weight = this.#weigh ? this.#weigh(key) : 0;
    if (weight * 4 > this.#maxWeight) return value;
    if (this.#entries.size >= this.#limit || this.#weight + weight > this.#maxWeight) {
      this.#entries.clear();
      this.#weight = 0;
    }
    if (!this.#entries.has(key)) this.#weight += weight;
    this.#entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Total weight held (0 without a weigh function). */
  get weight(): number {
    return this.#weight;
  }
}
