import { readFileSync } from 'node:fs';
import type { Collector, CollectorEnv, Sample } from './types.js';

/** Parse /proc/meminfo into bytes by field name (`MemTotal` ...). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return out;
}

const pct = (part: number, total: number) => (total > 0 ? Math.round((part / total) * 10000) / 100 : 0);

/** memory.{total,free,available,used,used_pct,buffers,cached}, swap.{total,free,used,used_pct}, in bytes. */
export function memorySamples(info: Map<string, number>): Sample[] {
  const get = (k: string) => info.get(k) ?? 0;
  const total = get('MemTotal');
  const free = get('MemFree');
  // MemAvailable (kernels since 3.14) is what applications can still get; older ones: free + buffers + cache.
  const available = info.get('MemAvailable') ?? free + get('Buffers') + get('Cached');
  const used = Math.max(0, total - available);
  const swapTotal = get('SwapTotal');
  const swapFree = get('SwapFree');
  const swapUsed = Math.max(0, swapTotal - swapFree);
  const m = (metric: string, value: number): Sample => ({ group: 'memory', metric, value });
  const s = (metric: string, value: number): Sample => ({ group: 'swap', metric, value });
  return [
    m('total', total),
    m('free', free),
    m('available', available),
    m('used', used),
    m('used_pct', pct(used, total)),
    m('buffers', get('Buffers')),
    m('cached', get('Cached')),
    s('total', swapTotal),
    s('free', swapFree),
    s('used', swapUsed),
    s('used_pct', pct(swapUsed, swapTotal)),
  ];
}

export function memoryCollector(env: CollectorEnv): Collector {
  return { name: 'memory', collect: async () => memorySamples(parseMeminfo(readFileSync(`${env.proc}/meminfo`, 'utf8'))) };
}
