/**
 * Wall-clock time for the provisioner: leases and cool-downs are compared
 * across processes (and hosts), so they are unix milliseconds, not the
 * client's monotonic Clock. Passed in so tests can run time by hand.
 */
export interface Time {
  /** Unix milliseconds. */
  now(): number;
  /** Resolve after `ms`, or early (resolved, not rejected) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Call `fn` every `ms` until stopped (never keeps the process alive by itself). */
  every(ms: number, fn: () => void): { stop(): void };
}

/** The real clock: Date.now() and Node timers. */
export const realTime: Time = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
  every: (ms, fn) => {
    const timer = setInterval(fn, ms);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};
