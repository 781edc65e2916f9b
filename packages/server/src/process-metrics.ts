import type { IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopLag } from '@cohort/agents';
import { perfHooks } from '@cohort/core';

/** Defaults, as data. */
export const eventLoopDefaults = {
  /** Sampling resolution of the delay histogram, ms. */
  resolutionMs: 10,
  /** Figures cover the last complete window of this length (and the current one until the first completes). */
  windowMs: 10_000,
  /** Measuring stops when nobody asked for this long (a monitoring system polling less often sees gaps). */
  keepMs: 10 * 60_000,
} as const;

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

function figures(h: IntervalHistogram, windowMs: number): EventLoopLag {
  // An empty histogram (no sample yet) reports huge/NaN values: report zeros instead.
  if (h.count === 0) return { p50: 0, p99: 0, max: 0, window_s: windowMs / 1000 };
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), window_s: windowMs / 1000 };
}

export interface EventLoopMonitorOptions {
  readonly windowMs?: number;
  readonly resolutionMs?: number;
  readonly keepMs?: number;
  readonly clock?: () => number;
}

/**
 * Event-loop delay of this process (perf_hooks.monitorEventLoopDelay), over a
 * rolling window, measured only while somebody asks: sampling wakes the event
 * loop every `resolutionMs` (about 100 times a second), which an idle daemon
 * should not pay for. The first `lag()` starts measuring and reports what was
 * measured so far (nothing: zeros over a window of 0 s); while asked at least
 * every `keepMs`, `lag()` reports the last complete window, so a sampler that
 * asks every window length sees each window once and an old spike does not
 * stay in `max` forever. After `keepMs` without a question it stops again.
 * One per process: every node hosted by the process shares its event loop.
 */
export class EventLoopMonitor {
  readonly #windowMs: number;
  readonly #resolutionMs: number;
  readonly #keepMs: number;
  readonly #clock: () => number;
  #histogram: IntervalHistogram | undefined;
  #timer: NodeJS.Timeout | undefined;
  #last: EventLoopLag | undefined;
  #since = 0;
  #askedAt = 0;

  constructor(options: EventLoopMonitorOptions = {}) {
    this.#windowMs = options.windowMs ?? eventLoopDefaults.windowMs;
    this.#resolutionMs = options.resolutionMs ?? eventLoopDefaults.resolutionMs;
    this.#keepMs = options.keepMs ?? eventLoopDefaults.keepMs;
    this.#clock = options.clock ?? Date.now;
  }

  /** Whether the process is being sampled right now. */
  get measuring(): boolean {
    return this.#histogram !== undefined;
  }

  /** Lag figures in ms of the last complete window (of the current one before the first window ends); starts measuring if it was not. */
  lag(): EventLoopLag {
    this.#askedAt = this.#clock();
    const h = this.#histogram;
    if (h === undefined) {
      this.#start();
      return { p50: 0, p99: 0, max: 0, window_s: 0 };
    }
    return this.#last ?? figures(h, Math.min(this.#windowMs, this.#askedAt - this.#since));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#histogram?.disable();
    this.#histogram = undefined;
    this.#last = undefined;
  }

  #start(): void {
    // perf_hooks is loaded when measuring starts: an idle daemon nobody asks for its lag never needs it.
    const h = perfHooks().monitorEventLoopDelay({ resolution: this.#resolutionMs });
    h.enable();
    this.#histogram = h;
    this.#since = this.#clock();
    this.#timer = setInterval(() => {
      if (this.#clock() - this.#askedAt >= this.#keepMs) return this.stop();
      this.#last = figures(h, this.#windowMs);
      h.reset();
    }, this.#windowMs);
    this.#timer.unref();
  }
}
