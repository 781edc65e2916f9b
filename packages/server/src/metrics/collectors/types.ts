/**
 * One measurement: `group` (cpu, load, memory, swap, disk, net, processes,
 * uptime), `metric` (used_pct, load1...) and, for per-object groups, the
 * object (`disk` mount point, `net` interface). Its snapshot key is
 * `<group>.<metric>` or `<group>.<object>.<metric>` (`disk./var.used_pct`).
 */
export interface Sample {
  readonly group: string;
  readonly metric: string;
  /** The mount point or interface name of per-object groups. */
  readonly object?: string;
  readonly value: number;
  /** A monotonically growing total (bytes since boot): a Prometheus counter; everything else is a gauge. */
  readonly counter?: boolean;
}

/** The snapshot key of a sample. */
export function sampleKey(s: Pick<Sample, 'group' | 'metric' | 'object'>): string {
  return s.object === undefined ? `${s.group}.${s.metric}` : `${s.group}.${s.object}.${s.metric}`;
}

/** A built-in collector: reads /proc (never runs a process) and returns its samples. Keeps its own previous reading for rates. */
export interface Collector {
  readonly name: CollectorName;
  collect(): Promise<Sample[]>;
}

export const collectorNames = ['cpu', 'load', 'memory', 'disk', 'network', 'processes', 'uptime'] as const;
export type CollectorName = (typeof collectorNames)[number];

/** Where the collectors read from (tests may point at a copy; the daemon uses /proc). */
export interface CollectorEnv {
  readonly proc: string;
  readonly clock: () => number;
}
