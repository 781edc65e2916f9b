import type { Reply } from './types.ts';

/**
 * Replies of one job, keyed by node identity (a node answering twice, e.g. a
 * late connection replaying the replies so far, replaces its row), kept in
 * arrival order. Streams push into a FrameBatcher, which hands the page one
 * batch per animation frame, so 1,000 replies cost a few renders, not 1,000.
 */
export class ReplyStore {
  readonly #byIdentity = new Map<string, Reply>();
  #version = 0;

  /** Add or replace replies; returns how many were new nodes. */
  add(replies: readonly Reply[]): number {
    let fresh = 0;
    for (const r of replies) {
      if (typeof r?.identity !== 'string') continue;
      if (!this.#byIdentity.has(r.identity)) fresh++;
      this.#byIdentity.set(r.identity, r);
    }
    if (replies.length > 0) this.#version++;
    return fresh;
  }

  /**
   * Add only the replies of nodes not seen yet (the job's stored replies after
   * the stream: rows already shown keep their objects, so they do not re-render).
   */
  addMissing(replies: readonly Reply[]): number {
    return this.add(replies.filter((r) => typeof r?.identity === 'string' && !this.#byIdentity.has(r.identity)));
  }

  get size(): number {
    return this.#byIdentity.size;
  }

  /** Bumped by every add: a cheap "did anything change" for renders. */
  get version(): number {
    return this.#version;
  }

  list(): Reply[] {
    return [...this.#byIdentity.values()];
  }

  /** Identities that failed (non-zero status). */
  failed(): string[] {
    return this.list()
      .filter((r) => r.statuscode !== 0)
      .map((r) => r.identity);
  }
}

export type Scheduler = (flush: () => void) => void;

/**
 * Collects items and delivers them in one call per scheduled tick
 * (requestAnimationFrame in the page), at most `maxPerTick` at a time so one
 * frame never has to build thousands of rows: the rest go in the next ticks.
 */
export class FrameBatcher<T> {
  #queue: T[] = [];
  #scheduled = false;

  constructor(
    private readonly deliver: (items: T[]) => void,
    private readonly schedule: Scheduler,
    private readonly maxPerTick = Infinity,
  ) {}

  push(item: T): void {
    this.#queue.push(item);
    this.#arm();
  }

  #arm(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    this.schedule(() => this.#tick());
  }

  #tick(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    const items = this.#queue.splice(0, this.maxPerTick);
    this.deliver(items);
    this.#arm();
  }

  /** Deliver everything queued now, in one call (when the stream ends). */
  flush(): void {
    if (this.#queue.length === 0) return;
    const items = this.#queue;
    this.#queue = [];
    this.deliver(items);
  }
}
