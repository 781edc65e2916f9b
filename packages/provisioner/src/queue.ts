/**
 * The queue of nodes to look at: each identity at most once (queued or being
 * worked on), at most `max` waiting; workers take them in order. Closing it
 * wakes every waiting worker with undefined.
 */
export class WorkQueue {
  readonly #max: number;
  readonly #items: string[] = [];
  readonly #known = new Set<string>();
  readonly #waiters: Array<(identity: string | undefined) => void> = [];
  #closed = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** Queue `identity` unless it is queued or being worked on already, the queue is full or closed. */
  add(identity: string): boolean {
    if (this.#closed || this.#known.has(identity) || this.#items.length >= this.#max) return false;
    this.#known.add(identity);
    const waiter = this.#waiters.shift();
    if (waiter) waiter(identity);
    else this.#items.push(identity);
    return true;
  }

  /** The next identity (it stays known until done()), or undefined once closed. */
  take(): Promise<string | undefined> {
    const next = this.#items.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Work on `identity` ended: it may be queued again. */
  done(identity: string): void {
    this.#known.delete(identity);
  }

  /** Nodes waiting (not those being worked on). */
  get size(): number {
    return this.#items.length;
  }

  /** Take no more; waiting workers get undefined, queued nodes are dropped. */
  close(): void {
    this.#closed = true;
    this.#items.length = 0;
    for (const w of this.#waiters.splice(0)) w(undefined);
  }
}
