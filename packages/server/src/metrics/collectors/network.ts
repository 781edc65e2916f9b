import { readFileSync } from 'node:fs';
import type { Collector, CollectorEnv, Sample } from './types.js';

export interface InterfaceCounters {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_drops: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_drops: number;
}

/** Parse /proc/net/dev: interface -> totals since boot. */
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const out = new Map<string, InterfaceCounters>();
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    const at = (k: number) => f[k] as number;
    out.set(name, { rx_bytes: at(0), rx_packets: at(1), rx_errors: at(2), rx_drops: at(3), tx_bytes: at(8), tx_packets: at(9), tx_errors: at(10), tx_drops: at(11) });
  }
  return out;
}

/**
 * Per interface: totals since boot (`net.eth0.rx_bytes`, counters) and, from
 * the second sample on, rates per second (`net.eth0.rx_bytes_per_s`).
 */
export function networkCollector(env: CollectorEnv): Collector {
  let prev: { at: number; counters: Map<string, InterfaceCounters> } | undefined;
  return {
    name: 'network',
    async collect() {
      const at = env.clock();
      const counters = parseNetDev(readFileSync(`${env.proc}/net/dev`, 'utf8'));
      const out: Sample[] = [];
      const seconds = prev ? (at - prev.at) / 1000 : 0;
      for (const [iface, c] of counters) {
        const before = prev?.counters.get(iface);
        for (const [metric, value] of Object.entries(c) as Array<[keyof InterfaceCounters, number]>) {
          out.push({ group: 'net', object: iface, metric, value, counter: true });
          // A counter that went backwards (interface reset, 32-bit wrap) gives no rate this time.
          if (before && seconds > 0 && value >= before[metric]) out.push({ group: 'net', object: iface, metric: `${metric}_per_s`, value: Math.round(((value - before[metric]) / seconds) * 100) / 100 });
        }
      }
      prev = { at, counters };
      return out;
    },
  };
}
