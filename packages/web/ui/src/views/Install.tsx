import { api } from '../api.ts';
import { ErrorBox, Loading, useLoad } from './common.tsx';

export function Install() {
  const res = useLoad(() => api.get<{ nats?: string; collective?: string; steps?: string[]; cloudInit?: string }>('/api/install'), []);
  const d = res.data;
  return (
    <main>
      <h1>Add machines</h1>
      <ErrorBox error={res.error} />
      <Loading when={res.loading} />
      {d !== undefined && (
        <div id="install">
          <p>
            NATS <code>{d.nats ?? ''}</code> · collective <code>{d.collective ?? ''}</code>
          </p>
          <h2>Steps</h2>
          <ol>
            {(d.steps ?? []).map((s, i) => (
              <li key={i} class="step">
                {s}
              </li>
            ))}
          </ol>
          {d.cloudInit !== undefined && (
            <>
              <h2>cloud-init</h2>
              <pre class="block" id="cloud-init">
                {d.cloudInit}
              </pre>
            </>
          )}
        </div>
      )}
    </main>
  );
}
