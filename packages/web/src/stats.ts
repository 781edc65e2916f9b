/** /api/stats: node metrics over time from Graphite's render API (the metrics cohortd pushes with graphite:). */
export class StatsError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
  }
}

const identityPattern = /^[A-Za-z0-9_.-]{1,253}$/;
const metricPattern = /^[A-Za-z0-9_*{},.-]{1,200}$/;
const fromPattern = /^-\d{1,6}(s|min|h|d|w)$/;

export interface StatsSeries {
  target: string;
  points: Array<[number, number | null]>;
}

export async function graphiteStats(base: string, prefix: string, q: { identity?: string; metric?: string; from?: string }, fetcher: typeof fetch = fetch): Promise<{ series: StatsSeries[] }> {
  const identity = q.identity ?? '';
  const metric = q.metric ?? '';
  const from = q.from ?? '-1h';
  if (!identityPattern.test(identity)) throw new StatsError(400, `identity '${identity}' is not a node identity`, 'identity');
  if (!metricPattern.test(metric)) throw new StatsError(400, `metric '${metric}' is not a metric path (letters, digits, _ - . and * { } ,)`, 'metric');
  if (!fromPattern.test(from)) throw new StatsError(400, `from '${from}' is not a relative time like -1h, -30min, -7d`, 'from');
  // Graphite paths use . as separator: a node's dots become _ (as cohortd's Graphite push writes them).
  const target = `${prefix.replace('<identity>', identity.replace(/\./g, '_'))}${metric}`;
  const url = `${base}/render?format=json&from=${encodeURIComponent(from)}&target=${encodeURIComponent(target)}`;
  let res: Response;
  try {
    res = await fetcher(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new StatsError(502, `Graphite at ${base} did not answer: ${(err as Error).message}`);
  }
  if (!res.ok) throw new StatsError(502, `Graphite at ${base} answered ${res.status}`);
  const body = (await res.json()) as Array<{ target: string; datapoints: Array<[number | null, number]> }>;
  if (!Array.isArray(body)) throw new StatsError(502, `Graphite at ${base} did not answer with a series list`);
  return { series: body.map((s) => ({ target: String(s.target), points: (s.datapoints ?? []).map(([v, t]) => [Number(t), typeof v === 'number' ? v : null] as [number, number | null]) })) };
}
