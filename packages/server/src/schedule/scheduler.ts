import { errorMessage } from '@cohort/core';
import type { Logger } from '@cohort/core/log';

/**
 * One recurring job. The scheduler owns the timing; `run` does the work and
 * must stop when `signal` fires (its timeout, a removal, or shutdown).
 */
export interface ScheduledJob {
  readonly name: string;
  readonly intervalMs: number;
  /** The run's signal fires after this long. */
  readonly timeoutMs: number;
  /** Spread the first run at random over the interval, so a fleet started together does not run in step. */
  readonly splay: boolean;
  run(signal: AbortSignal): Promise<void>;
}

export interface SchedulerOptions {
  readonly log: Logger;
  readonly clock?: () => number;
  /** [0, 1); tests may fix it. */
  readonly random?: () => number;
}

interface Slot {
  job: ScheduledJob;
  /** When the current or last run started (unix ms); undefined before the first. */
  lastStart: number | undefined;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  controller: AbortController | undefined;
  removed: boolean;
}

/** Counters for stats and tests. */
export interface SchedulerCounters {
  runs: number;
  /** Ticks skipped because the previous run of the job was still going. */
  skipped: number;
  timeouts: number;
}

/**
 * The node-side scheduler (mine functions now, checks next): each job runs
 * every `intervalMs` at a fixed rate, its first run splayed over the
 * interval; a job never overlaps itself (a tick that finds it still running
 * is skipped and counted); each run is aborted after its timeout. Jobs can be
 * added, changed and removed while running: a changed interval takes effect
 * from the last run's start, so the new spacing shows at once. One timer per
 * job, nothing polls.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #slots = new Map<string, Slot>();
  readonly counters: SchedulerCounters = { runs: 0, skipped: 0, timeouts: 0 };
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /** Names of the scheduled jobs. */
  names(): string[] {
    return [...this.#slots.keys()];
  }

  has(name: string): boolean {
    return this.#slots.has(name);
  }

  /** Add a job, or replace the one of the same name (keeping its timing; a new interval counts from its last start). */
  set(job: ScheduledJob): void {
    if (this.#stopped) return;
    const slot = this.#slots.get(job.name);
    if (slot === undefined) {
      const s: Slot = { job, lastStart: undefined, timer: undefined, running: undefined, controller: undefined, removed: false };
      this.#slots.set(job.name, s);
      this.#arm(s, job.splay ? Math.floor(this.#random() * job.intervalMs) : 0);
      return;
    }
    const changed = slot.job.intervalMs !== job.intervalMs;
    slot.job = job;
    if (changed) this.#armNext(slot);
  }

  /** Remove a job; a run in progress is aborted. */
  remove(name: string): void {
    const slot = this.#slots.get(name);
    if (!slot) return;
    slot.removed = true;
    clearTimeout(slot.timer);
    slot.controller?.abort(new Error(`${name} was removed`));
    this.#slots.delete(name);
  }

  /** Run a job now (unless it is running: then wait for that run); the next run is an interval later. False for an unknown job. */
  async runNow(name: string): Promise<boolean> {
    const slot = this.#slots.get(name);
    if (!slot) return false;
    if (slot.running) {
      await slot.running;
      return true;
    }
    clearTimeout(slot.timer);
    await this.#start(slot);
    return true;
  }

  /** Stop every timer, abort running jobs and wait for them to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const running: Array<Promise<void>> = [];
    for (const slot of this.#slots.values()) {
      clearTimeout(slot.timer);
      slot.removed = true;
      slot.controller?.abort(new Error('the node is shutting down'));
      if (slot.running) running.push(slot.running);
    }
    this.#slots.clear();
    await Promise.allSettled(running);
  }

  #armNext(slot: Slot): void {
    const due = slot.lastStart === undefined ? this.#clock() : slot.lastStart + slot.job.intervalMs;
    this.#arm(slot, Math.max(0, due - this.#clock()));
  }

  #arm(slot: Slot, delayMs: number): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.#tick(slot), delayMs);
    slot.timer.unref();
  }

  #tick(slot: Slot): void {
    if (slot.removed || this.#stopped) return;
    if (slot.running) {
      this.counters.skipped++;
      this.#o.log.warn(`${slot.job.name}: still running after its ${slot.job.intervalMs / 1000} s interval; skipping this run`);
      slot.lastStart = this.#clock();
      this.#armNext(slot);
      return;
    }
    void this.#start(slot);
  }

  #start(slot: Slot): Promise<void> {
    const { job } = slot;
    slot.lastStart = this.#clock();
    this.#armNext(slot);
    const controller = new AbortController();
    slot.controller = controller;
    const timer = setTimeout(() => {
      this.counters.timeouts++;
      controller.abort(new Error(`${job.name} exceeded its ${job.timeoutMs / 1000} s timeout`));
    }, job.timeoutMs);
    timer.unref();
    this.counters.runs++;
    const run = Promise.resolve()
      .then(() => job.run(controller.signal))
      .catch((err: unknown) => {
        this.#o.log.warn(`${job.name} failed: ${errorMessage(err)}`);
      })
      .finally(() => {
        clearTimeout(timer);
        if (slot.running === run) slot.running = undefined;
        if (slot.controller === controller) slot.controller = undefined;
      });
    slot.running = run;
    return run;
  }
}
