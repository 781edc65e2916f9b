import { api } from '../api.ts';
import { ErrorBox, Loading, useLoad } from './common.tsx';

interface AgentInfo {
  name: string;
  metadata?: { description?: string; version?: string; timeout?: number; author?: string; license?: string; [k: string]: unknown };
  actions?: string[];
  nodes?: number;
  versions?: Record<string, number>;
}

export function Plugins({ go, canRun }: { go: (h: string) => void; canRun: boolean }) {
  const res = useLoad(() => api.get<AgentInfo[]>('/api/agents'), []);
  return (
    <main>
      <h1>Plugins</h1>
      <ErrorBox error={res.error} />
      <Loading when={res.loading} />
      <table class="grid" id="plugins">
        <thead>
          <tr>
            <th>Agent</th>
            <th>Description</th>
            <th>DDL version</th>
            <th>Timeout</th>
            <th>Actions</th>
            <th>Nodes (by version)</th>
          </tr>
        </thead>
        <tbody>
          {(res.data ?? []).map((a) => (
            <tr key={a.name}>
              <td>
                {canRun ? (
                  <a href={`#/run/${encodeURIComponent(a.name)}`} onClick={(e) => { e.preventDefault(); go(`#/run/${encodeURIComponent(a.name)}`); }}>
                    {a.name}
                  </a>
                ) : (
                  a.name
                )}
              </td>
              <td>{a.metadata?.description ?? ''}</td>
              <td>{a.metadata?.version ?? ''}</td>
              <td>{a.metadata?.timeout !== undefined ? `${a.metadata.timeout}s` : ''}</td>
              <td class="small">{(a.actions ?? []).join(', ')}</td>
              <td class="small">
                {a.nodes ?? 0}
                {Object.keys(a.versions ?? {}).length > 0 && ': '}
                {Object.entries(a.versions ?? {})
                  .map(([v, n]) => `${v} × ${n}`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
