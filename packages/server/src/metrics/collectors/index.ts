import { errorMessage } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import type { MetricSnapshot } from '../../check-kinds/types.js';
import { cpuCollector } from './cpu.js';
import { diskCollector } from './disk.js';
import { loadCollector } from './load.js';
import { memoryCollector } from './memory.js';
import { networkCollector } from './network.js';
import { processesCollector } from './processes.js';
import { sampleKey, type Collector, type CollectorEnv, type CollectorName, type Sample } from './types.js';
import { uptimeCollector } from './uptime.js';

export { collectorNames, sampleKey, type Sample, type Collector, type CollectorName, type CollectorEnv } from './types.js';

const factories: Readonly<Record<CollectorName, (env: CollectorEnv) => Collector>> = {
  cpu: cpuCollector,
  load: loadCollector,
  memory: memoryCollector,
  disk: diskCollector,
  network: networkCollector,
  processes: processesCollector,
  uptime: uptimeCollector,
};

export interface SamplerOptions {
  readonly collectors: readonly CollectorName[];
  readonly intervalMs: number;
  readonly log: Logger;
  /** Defaults: /proc and Date.now. */
  readonly env?: Partial<CollectorEnv>;
}

/** The node's collectors, sampled together at an interval; the latest sample is kept. */
export interface Sampler {
  /** Take a first sample at once, then one every interval. */
  start(): Promise<void>;
  stop(): void;
  /** Sample all collectors now (also what the timer calls). */
  sample(): Promise<void>;
  /** Sample now unless the latest sample is younger than `maxAgeMs` (for readers when no timer runs). */
  fresh(maxAgeMs: number): Promise<void>;
  /** The latest values by key (`load.load1`); empty before the first sample or with no collectors. */
  snapshot(): MetricSnapshot;
  /** The latest samples with their structure (Prometheus labels, Graphite paths). */
  samples(): readonly Sample[];
  /** Unix ms of the latest sample (0 before the first). */
  readonly sampledAt: number;
  /** Collector runs that failed so far. */
  readonly failures: number;
}

/**
 * Sample the built-in collectors. A collector that fails is logged (once per
 * distinct reason) and left out of that sample; the others still count.
 */
export function createSampler(options: SamplerOptions): Sampler {
  const env: CollectorEnv = { proc: options.env?.proc ?? '/proc', clock: options.env?.clock ?? Date.now };
  const collectors = [...new Set(options.collectors)].map((name) => factories[name](env));
  const log = options.log;
  let latest: readonly Sample[] = [];
  let snapshot: MetricSnapshot = new Map();
  let sampledAt = 0;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const lastError = new Map<string, string>();

  async function sampleOnce(): Promise<void> {
    const results = await Promise.all(
      collectors.map(async (c) => {
        try {
          const out = await c.collect();
          if (lastError.delete(c.name)) log.info(`collector ${c.name} works again`);
          return out;
        } catch (err) {
          failures++;
          const reason = errorMessage(err);
          if (lastError.get(c.name) !== reason) log.warn(`collector ${c.name} failed: ${reason}; its metrics are left out until it works`);
          lastError.set(c.name, reason);
          return [];
        }
      }),
    );
    latest = Object.freeze(results.flat());
    snapshot = new Map(latest.map((s) => [sampleKey(s), s.value]));
    sampledAt = env.clock();
  }

  const sampler: Sampler = {
    async start() {
      if (collectors.length === 0 || timer) return;
      await sampler.sample();
      timer = setInterval(() => void sampler.sample(), options.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    sample() {
      // One run at a time: a slow statfs never stacks samples up.
      running ??= sampleOnce().finally(() => (running = undefined));
      return running;
    },
    fresh(maxAgeMs) {
      if (collectors.length === 0 || (sampledAt > 0 && env.clock() - sampledAt < maxAgeMs)) return Promise.resolve();
      return sampler.sample();
    },
    snapshot: () => snapshot,
    samples: () => latest,
    get sampledAt() {
      return sampledAt;
    },
    get failures() {
      return failures;
    },
  };
  return sampler;
}
