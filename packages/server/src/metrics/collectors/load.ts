import { readFileSync } from 'node:fs';
import type { Collector, CollectorEnv } from './types.js';

/** Parse /proc/loadavg: `0.12 0.34 0.56 2/345 6789`. */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((n) => Number.isFinite(n))) throw new Error(`cannot parse /proc/loadavg: '${text.trim()}'`);
  return { load1: a as number, load5: b as number, load15: c as number };
}

/** load.load1, load.load5, load.load15. */
export function loadCollector(env: CollectorEnv): Collector {
  return {
    name: 'load',
    async collect() {
      const l = parseLoadavg(readFileSync(`${env.proc}/loadavg`, 'utf8'));
      return Object.entries(l).map(([metric, value]) => ({ group: 'load', metric, value }));
    },
  };
}
