import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopLag } from '@cohort/agents';

/** Defaults, as data. */
export const eventLoopDefaults = {
  /** Sampling resolution of the delay histogram, ms. */
  resolutionMs: 10,
  /** Figures cover the last complete window of this length (and the current one until the first completes). */
  windowMs: 10_000,
} as const;

const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

function figures(h: IntervalHistogram, windowMs: number): EventLoopLag {
  // An empty histogram (no sample yet) reports huge/NaN values: report zeros instead.
  if (h.count === 0) return { p50: 0, p99: 0, max: 0, window_s: windowMs / 1000 };
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), window_s: windowMs / 1000 };
}

/**
 * Event-loop delay of this process (perf_hooks.monitorEventLoopDelay), over a
 * rolling window: `lag()` reports the last complete window, so a sampler that
 * asks every window length sees each window once and an old spike does not
 * stay in `max` forever. One per process: every node hosted by the process
 * shares its event loop.
 */
export class EventLoopMonitor {
  readonly #histogram: IntervalHistogram;
  readonly #windowMs: number;
  readonly #timer: NodeJS.Timeout;
  #last: EventLoopLag | undefined;

  constructor(windowMs: number = eventLoopDefaults.windowMs, resolutionMs: number = eventLoopDefaults.resolutionMs) {
    this.#windowMs = windowMs;
    this.#histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#last = figures(this.#histogram, windowMs);
      this.#histogram.reset();
    }, windowMs);
    this.#timer.unref();
  }

  /** Lag figures in ms of the last complete window (of the current one before the first window ends). */
  lag(): EventLoopLag {
    return this.#last ?? figures(this.#histogram, this.#windowMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}
