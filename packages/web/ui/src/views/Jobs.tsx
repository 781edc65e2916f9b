import { useEffect } from 'preact/hooks';
import { api } from '../api.ts';
import type { AgentDdl, JobRecord } from '../model/types.ts';
import { ErrorBox, KeyValues, Loading, useLoad, when } from './common.tsx';
import { Results } from './Results.tsx';

export function Jobs({ go }: { go: (h: string) => void }) {
  const res = useLoad(() => api.get<JobRecord[]>('/api/jobs?limit=50'), []);
  // Jobs others start, and running ones finishing, show up without a reload.
  useEffect(() => {
    const t = setInterval(res.reload, 5000);
    return () => clearInterval(t);
  }, []);
  return (
    <main>
      <h1>Jobs</h1>
      <ErrorBox error={res.error} />
      <Loading when={res.loading && res.data === undefined} />
      <table class="grid" id="jobs">
        <thead>
          <tr>
            <th>Started</th>
            <th>Who</th>
            <th>What</th>
            <th>Where</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {(res.data ?? []).map((j) => (
            <tr key={j.id} data-job={j.id}>
              <td>
                <a href={`#/jobs/${encodeURIComponent(j.id)}`} onClick={(e) => { e.preventDefault(); go(`#/jobs/${encodeURIComponent(j.id)}`); }}>
                  {when(j.started)}
                </a>
              </td>
              <td>{j.user}</td>
              <td>
                {j.agent} {j.action}
                {j.retryOf !== undefined && <span class="muted small"> (retry)</span>}
              </td>
              <td class="small">{j.nodes !== undefined && j.nodes.length > 0 ? j.nodes.join(', ') : j.filter || '(all nodes)'}</td>
              <td>
                <span class="badge state-ok">{j.ok} ok</span> {j.failed > 0 && <span class="badge state-critical">{j.failed} failed</span>}{' '}
                {j.noreply > 0 && <span class="badge state-unknown">{j.noreply} no reply</span>} <span class="muted small">of {j.discovered}</span>
                {j.finished === undefined && <span class="muted small"> running</span>}
                {j.interrupted === true && <span class="muted small"> interrupted (the console stopped)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

export function JobView({ id, canRun, go }: { id: string; canRun: boolean; go: (h: string) => void }) {
  const job = useLoad(() => api.get<{ job: JobRecord }>(`/api/jobs/${encodeURIComponent(id)}`), [id]);
  const agent = job.data?.job.agent;
  const ddl = useLoad(() => (agent === undefined ? Promise.resolve(undefined) : api.get<AgentDdl>(`/api/agents/${encodeURIComponent(agent)}`)), [agent]);
  const action = ddl.data?.actions.find((a) => a.action === job.data?.job.action);
  const j = job.data?.job;
  return (
    <main>
      <h1>
        Job {j !== undefined ? `${j.agent} ${j.action}` : id}
      </h1>
      <ErrorBox error={job.error} />
      {j !== undefined && (
        <p class="muted" id="job-meta">
          {id} · by {j.user} · {when(j.started)} ·{' '}
          {j.retryOf !== undefined && (
            <>
              retry of{' '}
              <a href={`#/jobs/${encodeURIComponent(j.retryOf)}`}>{j.retryOf}</a> ·{' '}
            </>
          )} {j.nodes !== undefined && j.nodes.length > 0 ? `nodes ${j.nodes.join(', ')}` : `filter ${j.filter || '(all nodes)'}`}
        </p>
      )}
      {j?.inputs !== undefined && Object.keys(j.inputs).length > 0 && <KeyValues data={j.inputs} />}
      {j !== undefined && !ddl.loading && <Results key={id} jobId={id} action={action} canRun={canRun} go={go} template={ddl.data?.resultsTemplate !== undefined && agent !== undefined && j !== undefined ? { text: ddl.data.resultsTemplate, agent, action: j.action } : undefined} />}
    </main>
  );
}
