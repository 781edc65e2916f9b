import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api.ts';
import { buildFilter, factOperators, type FactCondition, type FactOperator } from '../model/filter.ts';
import { formFields, initialValues, readForm, type Field, type FieldValue } from '../model/form.ts';
import type { AgentDdl, DdlAction } from '../model/types.ts';
import { ErrorBox, errorText, useLoad } from './common.tsx';

interface AgentSummary {
  name: string;
  actions: string[];
  metadata?: { description?: string };
}

/** Run: agent and action, the form generated from the DDL, the filter builder with its live count, batch and limit. */
export function Run({ go, allow, initialAgent }: { go: (h: string) => void; allow?: string[] | undefined; initialAgent?: string | undefined }) {
  const agents = useLoad(() => api.get<AgentSummary[]>('/api/agents'), []);
  const [agent, setAgent] = useState(initialAgent ?? 'rpcutil');
  const ddl = useLoad(() => api.get<AgentDdl>(`/api/agents/${encodeURIComponent(agent)}`), [agent]);
  const [actionName, setActionName] = useState('');
  const allowed = (a: string, act: string) => allow === undefined || allow.includes(`${a}.${act}`) || allow.includes(`${a}.*`);
  // While the next agent's DDL loads, the previous one is not shown under the new agent's name.
  const current = ddl.data?.metadata.name === agent ? ddl.data : undefined;
  const action: DdlAction | undefined = current?.actions.find((a) => a.action === actionName) ?? current?.actions.find((a) => allowed(agent, a.action));

  return (
    <main>
      <h1>Run an action</h1>
      <ErrorBox error={agents.error ?? ddl.error} />
      <div class="toolbar">
        <label>
          Agent
          <select name="agent" value={agent} onChange={(e) => { setAgent(e.currentTarget.value); setActionName(''); }}>
            {(agents.data ?? [{ name: agent, actions: [] }]).map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action
          <select name="action" value={action?.action ?? ''} onChange={(e) => setActionName(e.currentTarget.value)}>
            {(current?.actions ?? []).map((a) => (
              <option key={a.action} value={a.action} disabled={!allowed(agent, a.action)}>
                {a.action}
              </option>
            ))}
          </select>
        </label>
      </div>
      {action !== undefined && <ActionForm key={`${agent}.${action.action}`} agent={agent} action={action} go={go} />}
    </main>
  );
}

function FieldControl({ field, value, set }: { field: Field; value: FieldValue | undefined; set: (v: FieldValue) => void }) {
  const id = `in-${field.name}`;
  const text = typeof value === 'string' ? value : '';
  switch (field.control) {
    case 'checkbox':
      return <input id={id} name={field.name} type="checkbox" checked={value === true} onChange={(e) => set(e.currentTarget.checked)} />;
    case 'tristate':
      return (
        <select id={id} name={field.name} value={text} onChange={(e) => set(e.currentTarget.value)}>
          <option value="">(not set)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
    case 'select':
      return (
        <select id={id} name={field.name} value={text} onChange={(e) => set(e.currentTarget.value)}>
          {!field.required || text === '' ? <option value="">{field.required ? '(choose)' : '(not set)'}</option> : null}
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'json':
      return <textarea id={id} name={field.name} rows={3} value={text} placeholder={field.hint} onInput={(e) => set(e.currentTarget.value)} />;
    default:
      return (
        <input
          id={id}
          name={field.name}
          inputMode={field.control === 'number' ? 'decimal' : undefined}
          value={text}
          placeholder={field.defaultText !== '' ? field.defaultText : field.hint}
          maxLength={field.maxlength}
          onInput={(e) => set(e.currentTarget.value)}
        />
      );
  }
}

function ActionForm({ agent, action, go }: { agent: string; action: DdlAction; go: (h: string) => void }) {
  const fields = formFields(action);
  const [values, setValues] = useState<Record<string, FieldValue>>(() => initialValues(action));
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<{ error: string; field?: string | undefined }>();
  const [facts, setFacts] = useState<FactCondition[]>([]);
  const [classes, setClasses] = useState('');
  const [rawFilter, setRawFilter] = useState('');
  const [only, setOnly] = useState('');
  const onlyNodes = only.split(/[\s,]+/).filter((n) => n !== '');
  const [batch, setBatch] = useState('');
  const [limit, setLimit] = useState('');
  const [count, setCount] = useState<{ n?: number; error?: string }>({});
  const [busy, setBusy] = useState(false);
  const reading = readForm(action, values);
  const built = buildFilter({ facts, classes: classes.split(/\s+/) });
  const filter = [built, rawFilter.trim()].filter((s) => s !== '').join(' ');

  // The live count of matching nodes.
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      api.get<{ count: number }>(`/api/count${query({ filter })}`).then(
        (r) => live && setCount({ n: r.count }),
        (e: unknown) => live && setCount({ error: errorText(e) }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [filter]);

  // The CLI's validators on the server, once the page's own checks pass.
  useEffect(() => {
    if (!touched || Object.keys(reading.errors).length > 0) return;
    let live = true;
    const t = setTimeout(() => {
      api.post('/api/validate', { agent, action: action.action, inputs: reading.inputs }).then(
        () => live && setServerError(undefined),
        (e: unknown) => live && setServerError({ error: errorText(e), field: e instanceof ApiError ? e.field : undefined }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [JSON.stringify(reading.inputs), touched]);

  const set = (name: string, v: FieldValue) => {
    setTouched(true);
    setValues((old) => ({ ...old, [name]: v }));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(reading.errors).length > 0) return;
    setBusy(true);
    setServerError(undefined);
    try {
      const body: Record<string, unknown> = { agent, action: action.action, inputs: reading.inputs };
      if (filter !== '') body['filter'] = filter;
      if (onlyNodes.length > 0) body['nodes'] = onlyNodes;
      if (/^\d+$/.test(batch.trim()) && Number(batch) > 0) body['batch'] = Number(batch);
      if (limit.trim() !== '') body['limit'] = /^\d+$/.test(limit.trim()) ? Number(limit) : limit.trim();
      const r = await api.post<{ job: string; discovered: number }>('/api/run', body);
      go(`#/jobs/${encodeURIComponent(r.job)}`);
    } catch (err) {
      setServerError({ error: errorText(err), field: err instanceof ApiError ? err.field : undefined });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string): string | undefined => (touched ? (reading.errors[name] ?? (serverError?.field === name ? serverError.error : undefined)) : undefined);

  return (
    <form id="run-form" onSubmit={submit} novalidate>
      <p class="muted">{action.description}</p>
      <fieldset>
        <legend>Inputs</legend>
        {fields.length === 0 && <p class="muted">This action takes no inputs.</p>}
        {fields.map((f) => (
          <div class={`field ${fieldError(f.name) !== undefined ? 'invalid' : ''}`} key={f.name} data-field={f.name}>
            <label for={`in-${f.name}`}>
              {f.label}
              {f.required ? <span class="req"> *</span> : <span class="muted"> (optional)</span>}
            </label>
            <FieldControl field={f} value={values[f.name]} set={(v) => set(f.name, v)} />
            <div class="small muted">
              {f.description}
              {f.hint !== '' ? ` — ${f.hint}` : ''}
            </div>
            {fieldError(f.name) !== undefined && (
              <div class="error field-error" role="alert">
                {fieldError(f.name)}
              </div>
            )}
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>Nodes</legend>
        {facts.map((c, i) => (
          <div class="toolbar" key={i}>
            <input aria-label="fact" placeholder="fact" value={c.fact} onInput={(e) => setFacts(facts.map((x, j) => (j === i ? { ...x, fact: e.currentTarget.value } : x)))} />
            <select aria-label="operator" value={c.op} onChange={(e) => setFacts(facts.map((x, j) => (j === i ? { ...x, op: e.currentTarget.value as FactOperator } : x)))}>
              {factOperators.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
            <input aria-label="value" placeholder="value" value={c.value} onInput={(e) => setFacts(facts.map((x, j) => (j === i ? { ...x, value: e.currentTarget.value } : x)))} />
            <button type="button" class="link" onClick={() => setFacts(facts.filter((_, j) => j !== i))}>
              remove
            </button>
          </div>
        ))}
        <div class="toolbar">
          <button type="button" class="secondary" id="add-fact" onClick={() => setFacts([...facts, { fact: '', op: '==', value: '' }])}>
            + fact condition
          </button>
          <input name="classes" placeholder="classes (space separated)" value={classes} onInput={(e) => setClasses(e.currentTarget.value)} />
          <input name="filter" class="grow" placeholder="more filter, e.g. cpus>=4 /^role::web/" value={rawFilter} onInput={(e) => setRawFilter(e.currentTarget.value)} />
        </div>
        <div class="toolbar">
          <input name="nodes" class="grow" placeholder="only these nodes (identities, space or comma separated; optional)" value={only} onInput={(e) => setOnly(e.currentTarget.value)} />
        </div>
        <p class="small" id="count">
          Filter: <code>{filter === '' ? '(all nodes)' : filter}</code> →{' '}
          {count.error !== undefined ? <span class="error">{count.error}</span> : count.n === undefined ? '…' : <strong>{count.n} node{count.n === 1 ? '' : 's'}</strong>}
          {onlyNodes.length > 0 && <span> · of these, only {onlyNodes.join(', ')}</span>}
        </p>
        <div class="toolbar">
          <label>
            Batch size <input name="batch" size={5} value={batch} placeholder="all" onInput={(e) => setBatch(e.currentTarget.value)} />
          </label>
          <label>
            Limit <input name="limit" size={5} value={limit} placeholder="none" title="a number of nodes or a percentage like 10%" onInput={(e) => setLimit(e.currentTarget.value)} />
          </label>
        </div>
      </fieldset>
      {serverError !== undefined && (serverError.field === undefined || !fields.some((f) => f.name === serverError.field)) && <ErrorBox error={serverError.error} />}
      <button type="submit" id="run" disabled={busy}>
        Run {agent} {action.action}
      </button>
    </form>
  );
}
