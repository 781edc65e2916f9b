/** What the replay cache says about a request id. */
export const ReplayVerdict = {
  /** First time seen: remembered until it expires. */
  New: 'new',
  /** Seen before and still inside its validity window: refuse it. */
  Replayed: 'replayed',
  /** The cache is full of unexpired ids: refuse (fail closed) rather than forget one. */
  Full: 'full',
  /** This caller holds its whole share of the cache: its requests are refused, other callers' are not. */
  CallerFull: 'caller_full',
} as const;
export type ReplayVerdict = (typeof ReplayVerdict)[keyof typeof ReplayVerdict];

/**
 * Request ids seen within their validity window. A request is valid while
 * |now - time| <= ttl, so its id is remembered until time + ttl; after that
 * the TTL check refuses it anyway and the id is forgotten. Bounded: when
 * `capacity` unexpired ids are held, new requests are refused ('full')
 * instead of evicting an id that could then be replayed.
 *
 * One caller may hold at most `perCaller` ids, so a trusted but narrowly
 * allowed caller cannot fill the cache for everyone (callers are counted
 * only once their request is authorized, so strangers cannot fill it at all).
 *
 * Expiry uses a binary min-heap, so each check costs O(log n).
 */
export class ReplayCache {
  readonly capacity: number;
  /** Most ids one caller may hold. */
  readonly perCaller: number;
  readonly #seen = new Map<string, string>();
  readonly #perCaller = new Map<string, number>();
  readonly #heapAt: number[] = [];
  readonly #heapId: string[] = [];

  constructor(capacity: number, perCaller = capacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`replay cache capacity must be a positive integer (got ${capacity})`);
    if (!Number.isInteger(perCaller) || perCaller < 1) throw new RangeError(`replay cache share per caller must be a positive integer (got ${perCaller})`);
    this.capacity = capacity;
    this.perCaller = Math.min(perCaller, capacity);
  }

  /** Ids `caller` holds now. */
  heldBy(caller: string): number {
    return this.#perCaller.get(caller) ?? 0;
  }

  /** Ids currently remembered. */
  get size(): number {
    return this.#seen.size;
  }

  /** Check `id` (valid until `expiresAt`, unix ms) of `caller` and remember it when new. */
  check(id: string, expiresAt: number, now: number, caller = ''): ReplayVerdict {
    this.#expire(now);
    if (this.#seen.has(id)) return ReplayVerdict.Replayed;
    if (expiresAt <= now) return ReplayVerdict.New; // already outside its window: nothing to remember
    if (this.#seen.size >= this.capacity) return ReplayVerdict.Full;
    const held = this.heldBy(caller);
    if (held >= this.perCaller) return ReplayVerdict.CallerFull;
    this.#seen.set(id, caller);
    this.#perCaller.set(caller, held + 1);
    this.#push(expiresAt, id);
    return ReplayVerdict.New;
  }

  #expire(now: number): void {
    const at = this.#heapAt;
    while (at.length > 0 && (at[0] ?? Infinity) <= now) {
      const id = this.#heapId[0] ?? '';
      this.#pop();
      const caller = this.#seen.get(id);
      this.#seen.delete(id);
      if (caller === undefined) continue;
      const held = (this.#perCaller.get(caller) ?? 1) - 1;
      if (held > 0) this.#perCaller.set(caller, held);
      else this.#perCaller.delete(caller);
    }
  }

  #push(expiresAt: number, id: string): void {
    const at = this.#heapAt;
    const ids = this.#heapId;
    let i = at.length;
    at.push(expiresAt);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((at[parent] ?? 0) <= expiresAt) break;
      at[i] = at[parent] ?? 0;
      ids[i] = ids[parent] ?? '';
      i = parent;
    }
    at[i] = expiresAt;
    ids[i] = id;
  }

  #pop(): void {
    const at = this.#heapAt;
    const ids = this.#heapId;
    const lastAt = at.pop() ?? 0;
    const lastId = ids.pop() ?? '';
    const n = at.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (at[right] ?? 0) < (at[left] ?? 0) ? right : left;
      if ((at[child] ?? 0) >= lastAt) break;
      at[i] = at[child] ?? 0;
      ids[i] = ids[child] ?? '';
      i = child;
    }
    at[i] = lastAt;
    ids[i] = lastId;
  }
}
