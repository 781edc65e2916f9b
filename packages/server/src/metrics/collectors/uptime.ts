import { readFileSync } from 'node:fs';
import type { Collector, CollectorEnv } from './types.js';

/** uptime.seconds from /proc/uptime. */
export function uptimeCollector(env: CollectorEnv): Collector {
  return {
    name: 'uptime',
    async collect() {
      const seconds = Number(readFileSync(`${env.proc}/uptime`, 'utf8').trim().split(/\s+/)[0]);
      if (!Number.isFinite(seconds)) throw new Error('cannot parse /proc/uptime');
      return [{ group: 'uptime', metric: 'seconds', value: Math.floor(seconds) }];
    },
  };
}
