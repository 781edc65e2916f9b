/**
 * The `graphite` check kind, as Cabot's: a target evaluated over a window
 * through graphite-web's render API
 * (`/render?target=...&from=-<window>s&format=json`), each series judged
 * against the check's thresholds:
 *
 *   vars:
 *     critical: 90            # threshold(s); at least one of critical/warning
 *     warning: 80
 *     comparison: '>'         # the bad direction: > >= < <= == != (default >)
 *     aggregate: any          # any (Cabot: a series fails if any point does), all, avg, min, max, last, sum
 *     allowed_failures: 0     # series allowed to fail before the check does (Cabot allowed_num_failures)
 *     expected_series: 0      # fewer series than this is critical (Cabot expected_num_hosts)
 *     no_data: unknown        # state when the window holds no point at all: ok, warning, critical, unknown
 *
 * Consecutive failures before the state changes (Cabot's debounce) are the
 * check's `retries`: the node's state machine keeps a failing result soft
 * until that many runs in a row agree, and handlers act on hard states.
 */
import { errorMessage, type CheckDefinition, type CheckResult, type PerfDatum } from '@cohort/core';
import type { CheckKindRunner, CheckRunContext } from './types.js';

export interface GraphiteKindDeps {
  /** graphite-web's base URL (metrics.graphite.render_url), used when a check names none. */
  readonly renderUrl?: string | null;
  /** fetch (tests may pass one bound to a local server); defaults to the global. */
  readonly fetch?: typeof fetch;
}

/** Largest render API answer read, bytes. */
export const maxRenderBytes = 8 * 1024 * 1024;

export interface RenderSeries {
  readonly target: string;
  readonly datapoints: ReadonlyArray<readonly [number | null, number]>;
}

type Outcome = CheckResult['state'];
const comparisons = ['>', '>=', '<', '<=', '==', '!='] as const;
type Comparison = (typeof comparisons)[number];
const aggregates = ['any', 'all', 'avg', 'min', 'max', 'last', 'sum'] as const;
type Aggregate = (typeof aggregates)[number];
const noDataStates: readonly Outcome[] = ['ok', 'warning', 'critical', 'unknown'];
const word: Readonly<Record<Outcome, string>> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };

/** The render API URL for a target over the last `window` seconds. */
export function renderUrl(base: string, target: string, windowSeconds: number): string {
  return `${base.replace(/\/+$/, '')}/render?target=${encodeURIComponent(target)}&from=-${Math.max(1, Math.round(windowSeconds))}s&until=now&format=json`;
}

/** Check a render API answer's shape: a list of { target, datapoints: [[value|null, time]] }. Returns a reason when it is not. */
export function parseRenderResponse(body: unknown): RenderSeries[] | string {
  if (!Array.isArray(body)) return 'the answer is not a JSON list of series';
  for (const [k, s] of body.entries()) {
    if (typeof s !== 'object' || s === null) return `series ${k} is not an object`;
    const { target, datapoints } = s as { target?: unknown; datapoints?: unknown };
    if (typeof target !== 'string') return `series ${k} has no target name`;
    if (!Array.isArray(datapoints)) return `series ${k} ('${target}') has no datapoints list`;
    for (const p of datapoints) {
      if (!Array.isArray(p) || p.length < 2 || !(p[0] === null || typeof p[0] === 'number') || typeof p[1] !== 'number') return `series ${k} ('${target}') has a datapoint that is not [value or null, time]`;
    }
  }
  return body as RenderSeries[];
}

interface Settings {
  critical?: number;
  warning?: number;
  comparison: Comparison;
  aggregate: Aggregate;
  allowedFailures: number;
  expectedSeries: number;
  noData: Outcome;
}

/** The check's settings from its vars, or a reason naming the bad one. */
export function graphiteSettings(vars: CheckDefinition['vars']): Settings | string {
  const num = (name: string): number | undefined | string => {
    const v = vars[name];
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) ? n : `vars.${name} must be a number (got ${JSON.stringify(v)})`;
  };
  const critical = num('critical');
  const warning = num('warning');
  const allowed = num('allowed_failures') ?? 0;
  const expected = num('expected_series') ?? 0;
  for (const v of [critical, warning, allowed, expected]) if (typeof v === 'string') return v;
  if (critical === undefined && warning === undefined) return 'needs vars.critical or vars.warning (the threshold)';
  const comparison = String(vars['comparison'] ?? '>');
  if (!(comparisons as readonly string[]).includes(comparison)) return `vars.comparison must be one of ${comparisons.join(' ')} (got '${comparison}')`;
  const aggregate = String(vars['aggregate'] ?? 'any');
  if (!(aggregates as readonly string[]).includes(aggregate)) return `vars.aggregate must be one of ${aggregates.join(', ')} (got '${aggregate}')`;
  const noData = String(vars['no_data'] ?? 'unknown');
  if (!(noDataStates as readonly string[]).includes(noData)) return `vars.no_data must be one of ${noDataStates.join(', ')} (got '${noData}')`;
  return {
    ...(typeof critical === 'number' ? { critical } : {}),
    ...(typeof warning === 'number' ? { warning } : {}),
    comparison: comparison as Comparison,
    aggregate: aggregate as Aggregate,
    allowedFailures: allowed as number,
    expectedSeries: expected as number,
    noData: noData as Outcome,
  };
}

function breaches(value: number, cmp: Comparison, threshold: number): boolean {
  switch (cmp) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

function reduce(values: readonly number[], how: Exclude<Aggregate, 'any' | 'all'>): number {
  switch (how) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'last':
      return values[values.length - 1] as number;
  }
}

/** Does a series (its non-null values) breach a threshold under the settings? */
function seriesBreaches(values: readonly number[], s: Settings, threshold: number): boolean {
  if (s.aggregate === 'any') return values.some((v) => breaches(v, s.comparison, threshold));
  if (s.aggregate === 'all') return values.every((v) => breaches(v, s.comparison, threshold));
  return breaches(reduce(values, s.aggregate), s.comparison, threshold);
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100));

/** Judge render API series (pure; the kind fetches them). */
export function judgeSeries(series: readonly RenderSeries[], s: Settings, target: string): { state: Outcome; output: string; perfdata: PerfDatum[] } {
  const withData = series.map((x) => ({ target: x.target, values: x.datapoints.map((p) => p[0]).filter((v): v is number => v !== null && Number.isFinite(v)) })).filter((x) => x.values.length > 0);
  const perfdata: PerfDatum[] = withData.map((x) => ({
    label: x.target.length > 120 ? `${x.target.slice(0, 117)}...` : x.target,
    value: x.values[x.values.length - 1] as number,
    ...(s.warning !== undefined ? { warn: fmt(s.warning) } : {}),
    ...(s.critical !== undefined ? { crit: fmt(s.critical) } : {}),
  }));
  if (withData.length === 0) return { state: s.noData, output: `${word[s.noData]}: no data for ${target} in the window (${series.length} series, all points null)`, perfdata };
  if (withData.length < s.expectedSeries) return { state: 'critical', output: `CRITICAL: ${withData.length} series with data for ${target}, expected ${s.expectedSeries}`, perfdata };
  for (const [state, threshold] of [
    ['critical', s.critical],
    ['warning', s.warning],
  ] as const) {
    if (threshold === undefined) continue;
    const failing = withData.filter((x) => seriesBreaches(x.values, s, threshold));
    if (failing.length > s.allowedFailures) {
      const shown = failing.slice(0, 3).map((x) => `${x.target} ${s.aggregate === 'any' || s.aggregate === 'all' ? `max ${fmt(Math.max(...x.values))} min ${fmt(Math.min(...x.values))}` : `${s.aggregate} ${fmt(reduce(x.values, s.aggregate))}`}`);
      return {
        state,
        output: `${word[state]}: ${failing.length} of ${withData.length} series ${s.comparison} ${fmt(threshold)} (${s.aggregate}): ${shown.join('; ')}${failing.length > 3 ? '; ...' : ''}`,
        perfdata,
      };
    }
  }
  return { state: 'ok', output: `OK: ${withData.length} series of ${target} within thresholds`, perfdata };
}

async function readCapped(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Create the graphite kind. */
export function createGraphiteKind(deps: GraphiteKindDeps = {}): CheckKindRunner {
  const doFetch = deps.fetch ?? fetch;
  return {
    async run(def: CheckDefinition, ctx: CheckRunContext): Promise<CheckResult> {
      const started = ctx.clock();
      const finish = (state: Outcome, output: string, perfdata: PerfDatum[] = []): CheckResult => ({ state, output, perfdata, time: ctx.clock(), duration_ms: ctx.clock() - started });
      const g = def.graphite;
      if (!g) return finish('unknown', `check ${def.name} has no graphite: { target, window } settings`);
      const base = g.url ?? deps.renderUrl ?? null;
      if (!base) return finish('unknown', 'no Graphite URL: set metrics.graphite.render_url in cohortd.yaml or graphite.url on the check');
      const settings = graphiteSettings(def.vars);
      if (typeof settings === 'string') return finish('unknown', `check ${def.name}: ${settings}`);
      const url = renderUrl(base, g.target, g.window);
      let body: unknown;
      try {
        const res = await doFetch(url, { signal: ctx.signal, headers: { accept: 'application/json' }, redirect: 'error' });
        const text = await readCapped(res, maxRenderBytes);
        if (!res.ok) return finish('unknown', `Graphite answered ${res.status} ${res.statusText} for ${url}: ${text.slice(0, 200).replace(/\s+/g, ' ')}`);
        try {
          body = JSON.parse(text);
        } catch {
          return finish('unknown', `Graphite's answer for ${url} is not JSON: ${text.slice(0, 100).replace(/\s+/g, ' ')}`);
        }
      } catch (err) {
        return finish('unknown', ctx.signal.aborted ? `Graphite did not answer in time (${url})` : `cannot query Graphite at ${url}: ${errorMessage(err)}${err instanceof Error && err.cause ? ` (${errorMessage(err.cause)})` : ''}`);
      }
      const series = parseRenderResponse(body);
      if (typeof series === 'string') return finish('unknown', `Graphite's answer for ${url} is not render API JSON: ${series}`);
      const judged = judgeSeries(series, settings, g.target);
      return finish(judged.state, judged.output, judged.perfdata);
    },
  };
}
