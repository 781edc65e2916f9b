import { readFileSync } from 'node:fs';
import type { Collector, CollectorEnv, Sample } from './types.js';

/** The aggregate `cpu` line of /proc/stat: jiffies per state. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** Parse /proc/stat's `cpu` line and count the `cpuN` lines. */
export function parseProcStat(text: string): { times: CpuTimes; count: number } {
  let times: CpuTimes | undefined;
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1).map(Number);
      const at = (k: number) => (Number.isFinite(f[k]) ? (f[k] as number) : 0);
      times = { user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: at(7) };
    } else if (/^cpu\d+ /.test(line)) count++;
  }
  if (!times) throw new Error("no 'cpu' line in /proc/stat");
  return { times, count };
}

/** Percentages of each state between two readings (since boot for the first). */
export function cpuPercentages(prev: CpuTimes | undefined, cur: CpuTimes): Record<string, number> {
  const d = (k: keyof CpuTimes) => cur[k] - (prev?.[k] ?? 0);
  const keys: Array<keyof CpuTimes> = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
  const total = keys.reduce((sum, k) => sum + Math.max(0, d(k)), 0);
  const pct = (v: number) => (total > 0 ? Math.round((Math.max(0, v) / total) * 10000) / 100 : 0);
  return {
    user_pct: pct(d('user') + d('nice')),
    system_pct: pct(d('system') + d('irq') + d('softirq')),
    idle_pct: pct(d('idle')),
    iowait_pct: pct(d('iowait')),
    steal_pct: pct(d('steal')),
    used_pct: pct(total - Math.max(0, d('idle')) - Math.max(0, d('iowait'))),
  };
}

/** cpu.user_pct, system_pct, idle_pct, iowait_pct, steal_pct, used_pct (between samples), cpu.count. */
export function cpuCollector(env: CollectorEnv): Collector {
  let prev: CpuTimes | undefined;
  return {
    name: 'cpu',
    async collect() {
      const { times, count } = parseProcStat(readFileSync(`${env.proc}/stat`, 'utf8'));
      const pcts = cpuPercentages(prev, times);
      prev = times;
      const out: Sample[] = Object.entries(pcts).map(([metric, value]) => ({ group: 'cpu', metric, value }));
      out.push({ group: 'cpu', metric: 'count', value: count });
      return out;
    },
  };
}
