/** One sample of one process: seconds since the start, RSS in bytes, event-loop lag p99 in ms. */
export interface SoakSample {
  t: number;
  rss: number;
  p99: number;
}
export function slope(xs: number[], ys: number[]): number;
export function judge(name: string, samples: SoakSample[], slopeMiBPerMin: number): { problems: string[]; slopeMiBPerMin: number };
