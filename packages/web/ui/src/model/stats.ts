/** Graphite series (from /api/stats) as uPlot's columnar data: one shared time axis, null where a series has no point. */

export interface Series {
  target: string;
  points: Array<[number, number | null]>;
}

export function toPlotData(series: readonly Series[]): [number[], ...Array<Array<number | null>>] {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].filter((t) => Number.isFinite(t)).sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col: Array<number | null> = new Array<number | null>(times.length).fill(null);
    for (const [t, v] of s.points) {
      const i = index.get(t);
      if (i !== undefined) col[i] = typeof v === 'number' && Number.isFinite(v) ? v : null;
    }
    return col;
  });
  return [times, ...columns];
}

const prefixes = ['', 'k', 'M', 'G', 'T', 'P'];

/** An axis label that fits: 1234567 -> "1.23M", 0.5 -> "0.5", 24e9 -> "24G". */
export function shortNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '';
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1000 && i < prefixes.length - 1) {
    v /= 1000;
    i++;
  }
  const text = v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3).replace(/\.?0+$/, '');
  return `${n < 0 ? '-' : ''}${text}${prefixes[i]}`;
}
