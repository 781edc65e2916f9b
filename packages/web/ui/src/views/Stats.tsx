import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, ApiError, query } from '../api.ts';
import { shortNumber, toPlotData, type Series } from '../model/stats.ts';
import { errorText } from './common.tsx';

/** Statistics: node metrics over time from /api/stats (Graphite), drawn with uPlot. */
export function Stats() {
  const [identity, setIdentity] = useState('');
  const [metric, setMetric] = useState('');
  const [from, setFrom] = useState('-1h');
  const [asked, setAsked] = useState({ identity: '', metric: '', from: '-1h' });
  const [state, setState] = useState<{ series?: Series[]; error?: string; none?: boolean }>({});
  useEffect(() => {
    let live = true;
    api.get<{ series: Series[] }>(`/api/stats${query(asked)}`).then(
      (r) => live && setState({ series: r.series }),
      (e: unknown) => live && setState(e instanceof ApiError && e.status === 404 ? { none: true, error: e.message } : { error: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [asked]);
  return (
    <main>
      <h1>Statistics</h1>
      <form class="toolbar" onSubmit={(e) => { e.preventDefault(); setAsked({ identity, metric, from }); }}>
        <input name="identity" placeholder="node (all)" value={identity} onInput={(e) => setIdentity(e.currentTarget.value)} />
        <input name="metric" placeholder="metric (all)" value={metric} onInput={(e) => setMetric(e.currentTarget.value)} />
        <select name="from" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
          {['-15min', '-1h', '-6h', '-1d', '-7d'].map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <button type="submit">Show</button>
      </form>
      {state.none === true ? (
        <p class="notice" id="no-metrics">
          No metrics source configured: set <code>graphite_url</code> in web.yaml to see node statistics here.
          {state.error !== undefined && state.error !== 'no metrics source configured' ? ` (${state.error})` : ''}
        </p>
      ) : state.error !== undefined ? (
        <p class="error">{state.error}</p>
      ) : state.series === undefined ? (
        <p class="muted">Loading…</p>
      ) : state.series.length === 0 ? (
        <p class="muted">No series match.</p>
      ) : (
        <Chart series={state.series} />
      )}
    </main>
  );
}

function Chart({ series }: { series: Series[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
    const plot = new uPlot(
      {
        width: Math.max(400, el.clientWidth),
        height: 320,
        series: [{}, ...series.map((s, i) => ({ label: s.target, stroke: palette[i % palette.length] ?? '#000', spanGaps: false }))],
        axes: [{}, { size: 60, values: (_u: uPlot, splits: number[]) => splits.map(shortNumber) }],
      },
      toPlotData(series),
      el,
    );
    return () => plot.destroy();
  }, [series]);
  return <div ref={box} id="chart" class="chart" />;
}
