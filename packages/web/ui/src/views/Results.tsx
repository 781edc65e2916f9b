import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { outputRows, shownByPolicy, statusLabel, tally } from '../model/display.ts';
import { FrameBatcher, ReplyStore } from '../model/replies.ts';
import { summaryViews } from '../model/summary.ts';
import { renderTemplate } from '../model/template.ts';
import type { DdlAction, JobRecord, Reply } from '../model/types.ts';
import { errorText } from './common.tsx';

/** Reply rows built per step ("show more"). */
const pageRows = 200;

interface JobResponse {
  job: JobRecord;
  replies: Reply[];
  noreply?: string[];
  summary?: unknown;
}

interface Done {
  ok?: number;
  failed?: number;
  noreply?: number | string[];
  summary?: unknown;
}

/**
 * One job's replies: streamed from /api/jobs/:id/stream as they arrive
 * (batched per animation frame, keyed by node), with the DDL's display
 * policy, the aggregate summaries and a retry of the failed and silent nodes.
 */
export interface ResultsTemplate {
  text: string;
  agent: string;
  action: string;
}

export function Results({ jobId, action, canRun, go, template }: { jobId: string; action: DdlAction | undefined; canRun: boolean; go: (h: string) => void; template?: ResultsTemplate | undefined }) {
  const store = useMemo(() => new ReplyStore(), [jobId]);
  const [, setVersion] = useState(0);
  const [done, setDone] = useState<Done>();
  const [job, setJob] = useState<JobResponse>();
  const [showAll, setShowAll] = useState(false);
  // Rows built at most: a 1,000-node run lists the first rows at once, the rest on request (the counts and summaries cover all).
  const [rowLimit, setRowLimit] = useState(pageRows);
  const [error, setError] = useState<string>();
  const [retrying, setRetrying] = useState(false);
  const sourceRef = useRef<EventSource>();

  useEffect(() => {
    const batcher = new FrameBatcher<Reply>(
      (items) => {
        store.add(items);
        setVersion(store.version);
      },
      (f) => requestAnimationFrame(f),
      250,
    );
    const source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/stream`);
    sourceRef.current = source;
    source.addEventListener('reply', (e) => {
      try {
        batcher.push(JSON.parse((e as MessageEvent<string>).data) as Reply);
      } catch {
        /* a malformed event is skipped */
      }
    });
    source.addEventListener('done', (e) => {
      batcher.flush();
      source.close();
      let d: Done = {};
      try {
        d = JSON.parse((e as MessageEvent<string>).data) as Done;
      } catch {
        /* keep the empty summary */
      }
      setDone(d);
      api.get<JobResponse>(`/api/jobs/${encodeURIComponent(jobId)}`).then((j) => {
        store.addMissing(j.replies ?? []);
        setJob(j);
        setVersion(store.version);
      }, (err: unknown) => setError(errorText(err)));
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // The stream is gone (a finished job on an older server, or the network): read the job instead.
        api.get<JobResponse>(`/api/jobs/${encodeURIComponent(jobId)}`).then((j) => {
          store.addMissing(j.replies ?? []);
          setJob(j);
          if (j.job.finished !== undefined) setDone({ ok: j.job.ok, failed: j.job.failed, noreply: j.noreply ?? j.job.noreply, summary: j.summary });
          setVersion(store.version);
        }, (err: unknown) => setError(errorText(err)));
      }
    };
    return () => source.close();
  }, [jobId]);

  const replies = store.list();
  const t = tally(replies);
  const policy = action?.display;
  const visible = showAll ? replies : replies.filter((r) => shownByPolicy(policy, r));
  const hidden = replies.length - visible.length;
  const listed = visible.slice(0, rowLimit);
  const more = visible.length - listed.length;
  const noreply = job?.noreply ?? (Array.isArray(done?.noreply) ? done.noreply : []);
  const noreplyCount = typeof done?.noreply === 'number' ? done.noreply : noreply.length;
  const summaries = summaryViews(job?.summary ?? done?.summary);
  const discovered = job?.job.discovered;
  const retry = async () => {
    setRetrying(true);
    setError(undefined);
    try {
      const r = await api.post<{ job: string }>(`/api/jobs/${encodeURIComponent(jobId)}/retry`);
      go(`#/jobs/${encodeURIComponent(r.job)}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setRetrying(false);
    }
  };

  const download = () => {
    const blob = new Blob([JSON.stringify({ job: job?.job, replies: store.list(), noreply, summary: job?.summary ?? done?.summary }, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `cohort-job-${jobId}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  return (
    <div class="results" id="results" data-job={jobId} data-state={done === undefined ? 'running' : 'done'} data-replies={t.total}>
      <p class="tally" id="tally">
        <span class="badge state-ok">{t.ok} ok</span> <span class="badge state-critical">{t.failed} failed</span>{' '}
        {done !== undefined && <span class="badge state-unknown">{noreplyCount} no reply</span>}{' '}
        <span class="muted">
          {t.total} replies{discovered !== undefined ? ` of ${discovered} discovered` : ''} ·{' '}
          {done === undefined ? 'running…' : job?.job.interrupted === true ? 'interrupted: the console stopped while it ran' : 'finished'}
        </span>
        {canRun && done !== undefined && t.failed + noreplyCount > 0 && (
          <button id="retry" class="secondary" onClick={retry} disabled={retrying}>
            Retry {t.failed + noreplyCount} failed / no-reply node{t.failed + noreplyCount === 1 ? '' : 's'}
          </button>
        )}
        {done !== undefined && (
          <button class="link" id="download" onClick={download}>
            download JSON
          </button>
        )}
      </p>
      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {summaries.length > 0 && (
        <div class="summaries" id="summaries">
          {summaries.map((s) => (
            <div class="summary" key={s.title}>
              <h3>{s.title}</h3>
              <table>
                <tbody>
                  {s.rows.map((r) => (
                    <tr key={r.label} class={r.state !== undefined ? `state-row-${r.state.toLowerCase()}` : ''}>
                      <th>{r.label}</th>
                      <td>{r.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {s.lines.length > 0 && <pre>{s.lines.join('\n')}</pre>}
            </div>
          ))}
        </div>
      )}
      {template !== undefined && done !== undefined && <TemplateFrame template={template} replies={replies} summary={job?.summary ?? done.summary} />}
      {hidden > 0 && (
        <p class="muted">
          {hidden} repl{hidden === 1 ? 'y' : 'ies'} hidden by the action's display policy ({policy}).{' '}
          <button class="link" id="show-all" onClick={() => setShowAll(true)}>
            show all
          </button>
        </p>
      )}
      <table class="grid replies" id="replies">
        <colgroup>
          <col class="node" />
          <col class="status" />
          <col />
          <col class="ms" />
        </colgroup>
        <thead>
          <tr>
            <th>Node</th>
            <th>Status</th>
            <th>Result</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {listed.map((r) => (
            <ReplyRow key={r.identity} reply={r} action={action} />
          ))}
          {more > 0 && (
            <tr class="more">
              <td colSpan={4}>
                {more} more repl{more === 1 ? 'y' : 'ies'}:{' '}
                <button class="link" id="more-rows" onClick={() => setRowLimit(rowLimit + pageRows)}>
                  show {Math.min(more, pageRows)} more
                </button>{' '}
                ·{' '}
                <button class="link" id="all-rows" onClick={() => setRowLimit(Infinity)}>
                  show all
                </button>
              </td>
            </tr>
          )}
          {noreply.map((id) => (
            <tr key={`noreply:${id}`} class="noreply" data-identity={id}>
              <td>{id}</td>
              <td>
                <span class="badge state-unknown">no reply</span>
              </td>
              <td />
              <td />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One node's row; re-rendered only when its reply changes (a frame of new replies leaves the others alone). */
class ReplyRow extends Component<{ reply: Reply; action: DdlAction | undefined }> {
  override shouldComponentUpdate(next: { reply: Reply; action: DdlAction | undefined }): boolean {
    return next.reply !== this.props.reply || next.action !== this.props.action;
  }

  override render() {
    const { reply, action } = this.props;
    const ok = reply.statuscode === 0;
    const rows = outputRows(action, reply.data);
    return (
      <tr data-identity={reply.identity} class={ok ? 'ok' : 'failed'}>
        <td>{reply.identity}</td>
        <td>
          <span class={`badge ${ok ? 'state-ok' : 'state-critical'}`}>{statusLabel(reply.statuscode)}</span>
          {!ok && reply.statusmsg !== '' && <div class="small statusmsg">{reply.statusmsg}</div>}
        </td>
        <td>
          {rows.length > 0 && (
            <table class="kv">
              <tbody>
                {rows.map((o) => (
                  <tr key={o.key}>
                    <th>{o.label}</th>
                    <td>
                      <pre>{o.text}</pre>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </td>
        <td class="small">{typeof reply.ms === 'number' ? Math.round(reply.ms) : ''}</td>
      </tr>
    );
  }
}

/** The plugin's results template, rendered (values escaped) into a sandboxed iframe: no scripts, an opaque origin. */
function TemplateFrame({ template, replies, summary }: { template: ResultsTemplate; replies: Reply[]; summary: unknown }) {
  let html: string;
  try {
    html = renderTemplate(template.text, {
      agent: template.agent,
      action: template.action,
      replies: replies.map((r) => ({ ...r, ok: r.statuscode === 0 })),
      summary,
    });
  } catch (err) {
    return (
      <p class="error" role="alert">
        {errorText(err)}
      </p>
    );
  }
  return <iframe class="template" id="results-template" title={`${template.agent} results`} sandbox="" srcdoc={html} />;
}
