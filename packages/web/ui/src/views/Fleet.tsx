import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.ts';
import { ErrorBox, KeyValues, Loading, Section, StateBadge, useLoad, when } from './common.tsx';
import { valueText } from '../model/display.ts';

interface NodeRow {
  identity: string;
  version?: string;
  time?: string | number;
  facts?: Record<string, unknown>;
  classes?: string[];
  agents?: string[];
  checks?: Record<string, string>;
}

/** Node rows built per step: a large fleet lists its first rows at once (the groups and counts cover all). */
const fleetRows = 200;

interface NodesResponse {
  nodes: NodeRow[];
  groups?: Array<{ value: unknown; count: number }>;
  count: number;
}

function factText(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** Fleet: a filter box (the CLI's -W language), grouping by a fact or class, the nodes with their check states. */
export function Fleet({ go }: { go: (hash: string) => void }) {
  const [filterText, setFilterText] = useState('');
  const [filter, setFilter] = useState('');
  const [groupBy, setGroupBy] = useState('class');
  const [groupFact, setGroupFact] = useState('os');
  const [chosen, setChosen] = useState<string>();
  const [rowLimit, setRowLimit] = useState(fleetRows);
  const group = groupBy === 'class' ? 'class' : `fact:${groupFact}`;
  const res = useLoad(() => api.get<NodesResponse>(`/api/nodes${query({ filter, group })}`), [filter, group]);
  const live = useLiveChecks();
  const nodes = (res.data?.nodes ?? []).map((n) => (live[n.identity] === undefined ? n : { ...n, checks: { ...n.checks, ...live[n.identity] } }));
  const shown = chosen === undefined ? nodes : nodes.filter((n) => (groupBy === 'class' ? (n.classes ?? []).includes(chosen) : factText(n.facts?.[groupFact]) === chosen));
  return (
    <main>
      <h1>Fleet</h1>
      <form
        class="toolbar"
        id="fleet-search"
        onSubmit={(e) => {
          e.preventDefault();
          setChosen(undefined);
          setFilter(filterText.trim());
        }}
      >
        <input name="filter" class="grow" placeholder="filter, e.g. os=debian role::web cpus>=4" value={filterText} onInput={(e) => setFilterText(e.currentTarget.value)} />
        <button type="submit">Search</button>
        <label>
          Group by
          <select name="group" value={groupBy} onChange={(e) => { setGroupBy(e.currentTarget.value); setChosen(undefined); }}>
            <option value="class">class</option>
            <option value="fact">fact</option>
          </select>
        </label>
        {groupBy === 'fact' && <input name="group-fact" value={groupFact} onChange={(e) => { setGroupFact(e.currentTarget.value); setChosen(undefined); }} size={14} />}
      </form>
      <ErrorBox error={res.error} />
      <Loading when={res.loading && res.data === undefined} />
      {res.data !== undefined && (
        <div class="split">
          <aside class="groups" id="groups">
            <h3>{groupBy === 'class' ? 'Classes' : `Fact ${groupFact}`}</h3>
            <ul>
              <li>
                <button class={chosen === undefined ? 'link active' : 'link'} onClick={() => setChosen(undefined)}>
                  all <span class="count">{res.data.count}</span>
                </button>
              </li>
              {(res.data.groups ?? []).map((g) => {
                const v = factText(g.value);
                return (
                  <li key={v}>
                    <button class={chosen === v ? 'link active' : 'link'} onClick={() => setChosen(v)}>
                      {v === '' ? '(none)' : v} <span class="count">{g.count}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
            <CheckTotals nodes={nodes} />
          </aside>
          <table class="grid" id="nodes">
            <thead>
              <tr>
                <th>Node</th>
                <th>Classes</th>
                <th>Checks</th>
                <th>Version</th>
                <th>Seen</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, rowLimit).map((n) => (
                <tr key={n.identity} data-identity={n.identity}>
                  <td>
                    <a href={`#/node/${encodeURIComponent(n.identity)}`} onClick={(e) => { e.preventDefault(); go(`#/node/${encodeURIComponent(n.identity)}`); }}>
                      {n.identity}
                    </a>
                  </td>
                  <td class="small">{(n.classes ?? []).join(', ')}</td>
                  <td>
                    {Object.entries(n.checks ?? {}).map(([c, s]) => (
                      <span key={c} class="check" title={`${c}: ${String(s)}`}>
                        {c} <StateBadge state={String(s)} />{' '}
                      </span>
                    ))}
                  </td>
                  <td>{n.version}</td>
                  <td class="small">{when(n.time)}</td>
                </tr>
              ))}
              {shown.length > rowLimit && (
                <tr class="more">
                  <td colSpan={5}>
                    {shown.length - rowLimit} more node{shown.length - rowLimit === 1 ? '' : 's'}:{' '}
                    <button class="link" onClick={() => setRowLimit(rowLimit + fleetRows)}>
                      show {Math.min(fleetRows, shown.length - rowLimit)} more
                    </button>{' '}
                    ·{' '}
                    <button class="link" onClick={() => setRowLimit(Infinity)}>
                      show all
                    </button>{' '}
                    (or narrow the list with a filter or a group)
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

/** Check state changes as they happen (/api/events), node -> check -> state, laid over the listed states. */
function useLiveChecks(): Record<string, Record<string, string>> {
  const [live, setLive] = useState<Record<string, Record<string, string>>>({});
  useEffect(() => {
    const source = new EventSource('/api/events');
    source.addEventListener('check', (e) => {
      try {
        const ev = JSON.parse((e as MessageEvent<string>).data) as { identity?: unknown; check?: unknown; state?: unknown };
        if (typeof ev.identity !== 'string' || typeof ev.check !== 'string' || typeof ev.state !== 'string') return;
        const { identity, check, state } = ev as { identity: string; check: string; state: string };
        setLive((old) => ({ ...old, [identity]: { ...old[identity], [check]: state } }));
      } catch {
        /* a malformed event is skipped */
      }
    });
    // The server's own `error` event (e.g. no trusted issuer, so no check events): stop asking.
    source.addEventListener('error', (e) => {
      if ((e as MessageEvent<unknown>).data !== undefined) source.close();
    });
    return () => source.close();
  }, []);
  return live;
}

interface NodeDetailResponse extends Omit<NodeRow, 'checks'> {
  plugins?: unknown;
  checks?: Array<{ name: string; state: string; output?: string; time?: string | number }>;
  mine?: Record<string, unknown>;
}

export function NodeDetail({ identity }: { identity: string }) {
  const res = useLoad(() => api.get<NodeDetailResponse>(`/api/nodes/${encodeURIComponent(identity)}`), [identity]);
  const n = res.data;
  return (
    <main>
      <h1>Node {identity}</h1>
      <ErrorBox error={res.error} />
      <Loading when={res.loading} />
      {n !== undefined && (
        <div id="node-detail">
          <p class="muted">
            cohortd {n.version} · registered {when(n.time)}
          </p>
          <Section title="Checks" id="node-checks">
            {(n.checks ?? []).length === 0 ? (
              <p class="muted">no checks</p>
            ) : (
              <table class="grid">
                <tbody>
                  {(n.checks ?? []).map((c) => (
                    <tr key={c.name}>
                      <th>{c.name}</th>
                      <td>
                        <StateBadge state={String(c.state)} />
                      </td>
                      <td>
                        <pre>{c.output ?? ''}</pre>
                      </td>
                      <td class="small">{when(c.time)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Classes" id="node-classes">
            <p>{(n.classes ?? []).join(', ') || '—'}</p>
          </Section>
          <Section title="Agents" id="node-agents">
            <p>{(n.agents ?? []).join(', ') || '—'}</p>
          </Section>
          <Section title="Mine" id="node-mine">
            <MineValues mine={n.mine} />
          </Section>
          <Section title="Facts" id="node-facts">
            <KeyValues data={n.facts} empty="no facts" />
          </Section>
        </div>
      )}
    </main>
  );
}

/** How many checks across the listed nodes are in each state. */
function CheckTotals({ nodes }: { nodes: NodeRow[] }) {
  const totals = new Map<string, number>();
  for (const n of nodes) for (const s of Object.values(n.checks ?? {})) totals.set(String(s), (totals.get(String(s)) ?? 0) + 1);
  if (totals.size === 0) return null;
  return (
    <>
      <h3>Checks</h3>
      <ul id="check-totals">
        {['OK', 'WARNING', 'CRITICAL', 'UNKNOWN']
          .filter((s) => totals.has(s))
          .map((s) => (
            <li key={s}>
              <StateBadge state={s} /> <span class="count">{totals.get(s)}</span>
            </li>
          ))}
      </ul>
    </>
  );
}

/** Mine values: the value itself, with when it was taken and whether it is stale. */
function MineValues({ mine }: { mine: Record<string, unknown> | undefined }) {
  const entries = Object.entries(mine ?? {});
  if (entries.length === 0) return <p class="muted">no mine values</p>;
  return (
    <table class="kv">
      <tbody>
        {entries.map(([name, v]) => {
          const rec = typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown; time?: number; stale?: boolean; statusmsg?: string; statuscode?: number }) : undefined;
          return (
            <tr key={name}>
              <th>{name}</th>
              <td>
                <pre>{valueText(rec !== undefined ? rec.value : v)}</pre>
                {rec !== undefined && (
                  <div class="small muted">
                    {rec.time !== undefined ? when(rec.time) : ''}
                    {rec.stale === true ? ' · stale' : ''}
                    {typeof rec.statuscode === 'number' && rec.statuscode !== 0 ? ` · ${rec.statusmsg ?? ''}` : ''}
                  </div>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
