import { systemClock, type Clock } from './clock.js';

/**
 * Scatter/gather: an AsyncIterable of replies that ends by count (every
 * expected sender replied), timer, or stall (no reply for a while), followed
 * by a result describing who replied and who did not.
 *
 * Two modes:
 * - `expect`: senders are registered with {@link Collector.expect} before their
 *   request is sent; once {@link Collector.seal}ed (no more will be added) the
 *   collector ends when all have replied, or when `timeoutMs` has passed since
 *   the last `expect()` (or the start). Replies from other senders, and second
 *   replies, are still yielded but marked `unexpected`.
 * - `open`: anyone may answer (discovery). Duplicates are dropped. Ends at the
 *   timer, or `stallMs` after the most recent reply.
 *
 * Timers are only re-armed when they fire (or on the first reply), so a reply
 * costs no timer work.
 */

export const EndReason = {
  /** Every expected sender replied. */
  Count: 'count',
  /** The timeout passed. */
  Timer: 'timer',
  /** No new reply arrived within the stall window. */
  Stall: 'stall',
  /** Closed by the caller (or failed). */
  Closed: 'closed',
} as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];

export interface CollectorOptions {
  mode: 'expect' | 'open';
  /** Milliseconds after the start, or after the latest `expect()`, at which collection ends. */
  timeoutMs: number;
  /** Milliseconds without a new reply (counted from the latest reply) that end collection; 0 or absent disables. */
  stallMs?: number;
  clock?: Clock;
}

/** One reply as the collector saw it. */
export interface Collected<T> {
  value: T;
  sender: string;
  /** Clock time of arrival. */
  at: number;
  /** Sender was not expected, or had already replied (`expect` mode only). */
  unexpected: boolean;
}

/** What happened, available once the collector has ended. */
export interface CollectorResult {
  reason: EndReason;
  startedAt: number;
  endedAt: number;
  firstReplyAt: number | undefined;
  lastReplyAt: number | undefined;
  /** Expected senders in the order they were expected (`open` mode: everyone who replied). */
  expected: string[];
  /** Expected senders that replied, in arrival order. */
  responded: string[];
  /** Expected senders that did not reply, in expected order. */
  noResponse: string[];
  /** Unexpected or duplicate senders, unique, in arrival order. */
  unexpected: string[];
}

interface Waiter {
  pending: Set<string>;
  timer: unknown;
  resolve: () => void;
}

export class Collector<T> implements AsyncIterable<Collected<T>> {
  private readonly clock: Clock;
  private readonly mode: 'expect' | 'open';
  private readonly timeoutMs: number;
  private readonly stallMs: number;
  private readonly queue: Array<Collected<T> | undefined> = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private readonly expectedSet = new Set<string>();
  private readonly expectedOrder: string[] = [];
  private readonly respondedSet = new Set<string>();
  private readonly respondedOrder: string[] = [];
  private readonly unexpectedSet = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private sealed: boolean;
  private deadline: number;
  private readonly startedAt: number;
  private firstReplyAt: number | undefined;
  private lastReplyAt: number | undefined;
  private reason: EndReason | undefined;
  private endedAt = 0;
  private failure: { error: unknown } | undefined;
  private timer: unknown;
  private timerDue = Infinity;
  private iterating = false;
  private resolveDone!: (result: CollectorResult) => void;
  private rejectDone!: (err: unknown) => void;
  /** Resolves with the result when collection ends; rejects if it was failed. */
  readonly done: Promise<CollectorResult>;

  constructor(options: CollectorOptions) {
    this.clock = options.clock ?? systemClock;
    this.mode = options.mode;
    this.timeoutMs = options.timeoutMs;
    this.stallMs = options.stallMs ?? 0;
    this.sealed = options.mode === 'open';
    this.startedAt = this.clock.now();
    this.deadline = this.startedAt + this.timeoutMs;
    this.done = new Promise<CollectorResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
    this.arm();
  }

  /** True once collection has ended (no further replies are accepted). */
  get ended(): boolean {
    return this.reason !== undefined;
  }

  /** How many senders are expected and how many of them replied so far. */
  progress(): { expected: number; responded: number } {
    return { expected: this.expectedSet.size, responded: this.respondedSet.size };
  }

  /**
   * Register a sender whose reply is awaited (call before sending it the
   * request). Extends the deadline to now + timeout. Returns false if it was
   * already expected.
   */
  expect(sender: string): boolean {
    if (this.ended || this.expectedSet.has(sender)) return false;
    this.expectedSet.add(sender);
    this.expectedOrder.push(sender);
    this.deadline = Math.max(this.deadline, this.clock.now() + this.timeoutMs);
    return true;
  }

  /** No more senders will be expected: collection may now end by count or timer. */
  seal(): void {
    if (this.sealed) return;
    this.sealed = true;
    this.check();
  }

  /**
   * Offer a reply. Returns what was queued, or undefined when it was ignored
   * (collection ended, or a duplicate in `open` mode).
   */
  push(sender: string, value: T): Collected<T> | undefined {
    if (this.reason !== undefined) return undefined;
    const now = this.clock.now();
    let unexpected = false;
    if (this.respondedSet.has(sender)) {
      if (this.mode === 'open') return undefined;
      unexpected = true;
    } else if (this.mode === 'open' || this.expectedSet.has(sender)) {
      this.respondedSet.add(sender);
      this.respondedOrder.push(sender);
    } else {
      unexpected = true;
    }
    if (unexpected) this.unexpectedSet.add(sender);
    const first = this.firstReplyAt === undefined;
    if (first) this.firstReplyAt = now;
    this.lastReplyAt = now;
    const item: Collected<T> = { value, sender, at: now, unexpected };
    this.queue.push(item);
    this.notify();
    if (!unexpected && this.waiters.size > 0) this.releaseWaiters(sender);
    if (this.mode === 'expect' && this.sealed && this.respondedSet.size === this.expectedSet.size) {
      this.end(EndReason.Count);
    } else if (first && this.stallMs > 0) {
      this.arm();
    }
    return item;
  }

  /**
   * Resolve once every sender in `senders` has replied, `ms` has passed, or
   * collection ended (used to pace batches).
   */
  waitFor(senders: readonly string[], ms: number): Promise<void> {
    const pending = new Set(senders.filter((s) => !this.respondedSet.has(s)));
    if (pending.size === 0 || this.ended) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: Waiter = { pending, timer: undefined, resolve };
      waiter.timer = this.clock.setTimer(() => this.finishWaiter(waiter), ms);
      this.waiters.add(waiter);
    });
  }

  /** Stop collecting now (reason `closed`). */
  close(): void {
    this.end(EndReason.Closed);
  }

  /** Stop collecting because of an error: iteration throws it after the buffered replies, `done` rejects. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.end(EndReason.Closed);
  }

  /** The result so far (final once ended). */
  result(): CollectorResult {
    const expected = this.mode === 'open' ? [...this.respondedOrder] : [...this.expectedOrder];
    return {
      reason: this.reason ?? EndReason.Closed,
      startedAt: this.startedAt,
      endedAt: this.reason === undefined ? this.clock.now() : this.endedAt,
      firstReplyAt: this.firstReplyAt,
      lastReplyAt: this.lastReplyAt,
      expected,
      responded: [...this.respondedOrder],
      noResponse: expected.filter((s) => !this.respondedSet.has(s)),
      unexpected: [...this.unexpectedSet],
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<Collected<T>> {
    if (this.iterating) throw new Error('a collector can be iterated only once');
    this.iterating = true;
    return {
      next: async (): Promise<IteratorResult<Collected<T>>> => {
        for (;;) {
          const item = this.take();
          if (item) return { value: item, done: false };
          if (this.reason !== undefined) {
            if (this.failure) throw this.failure.error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
      },
      return: async (): Promise<IteratorResult<Collected<T>>> => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

  private take(): Collected<T> | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head];
    this.queue[this.head++] = undefined;
    // Drop consumed slots now and then so a long run does not keep every reply alive.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  private notify(): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake();
    }
  }

  private releaseWaiters(sender: string): void {
    for (const w of this.waiters) {
      w.pending.delete(sender);
      if (w.pending.size === 0) this.finishWaiter(w);
    }
  }

  private finishWaiter(w: Waiter): void {
    if (!this.waiters.delete(w)) return;
    this.clock.clearTimer(w.timer);
    w.resolve();
  }

  private check(): void {
    if (this.reason !== undefined) return;
    const now = this.clock.now();
    if (this.mode === 'expect' && this.sealed && this.respondedSet.size === this.expectedSet.size) return this.end(EndReason.Count);
    if (this.stallMs > 0 && this.lastReplyAt !== undefined && now - this.lastReplyAt >= this.stallMs) return this.end(EndReason.Stall);
    if (this.sealed && now >= this.deadline) return this.end(EndReason.Timer);
    this.arm();
  }

  private arm(): void {
    if (this.reason !== undefined) return;
    let due = this.sealed ? this.deadline : Infinity;
    if (this.stallMs > 0 && this.lastReplyAt !== undefined) due = Math.min(due, this.lastReplyAt + this.stallMs);
    if (due === Infinity) return;
    if (this.timer !== undefined) {
      // An earlier timer re-checks and re-arms when it fires.
      if (this.timerDue <= due) return;
      this.clock.clearTimer(this.timer);
    }
    this.timerDue = due;
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.check();
    }, due - this.clock.now());
  }

  private end(reason: EndReason): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.endedAt = this.clock.now();
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    for (const w of [...this.waiters]) this.finishWaiter(w);
    this.notify();
    if (this.failure) this.rejectDone(this.failure.error);
    else this.resolveDone(this.result());
  }
}
