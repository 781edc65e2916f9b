import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';

/** Small shared pieces: loading/error states, key/value tables. All values render as text. */

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (e: unknown) => live && setState({ error: e instanceof Error ? e.message : String(e), loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function ErrorBox({ error }: { error?: string | undefined }) {
  return error === undefined ? null : (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? <p class="muted">Loading…</p> : null;
}

export function KeyValues({ data, empty }: { data: Record<string, unknown> | undefined; empty?: string }) {
  const entries = Object.entries(data ?? {});
  if (entries.length === 0) return <p class="muted">{empty ?? 'none'}</p>;
  return (
    <table class="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>
              <pre>{typeof v === 'string' ? v : JSON.stringify(v, null, 2)}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Section({ title, id, children }: { title: string; id?: string; children: ComponentChildren }) {
  return (
    <section id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function errorText(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

export function when(t: string | number | undefined): string {
  if (t === undefined || t === '') return '';
  const d = typeof t === 'number' ? new Date(t < 1e12 ? t * 1000 : t) : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function StateBadge({ state }: { state: string }) {
  const known = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'].includes(state) ? state.toLowerCase() : 'unknown';
  return <span class={`badge state-${known}`}>{state}</span>;
}
