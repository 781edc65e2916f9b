import { useEffect, useState } from 'preact/hooks';
import { api, whenLoggedOut } from '../api.ts';
import type { Session } from '../model/types.ts';
import { Fleet, NodeDetail } from './Fleet.tsx';
import { Install } from './Install.tsx';
import { Jobs, JobView } from './Jobs.tsx';
import { Login } from './Login.tsx';
import { Plugins } from './Plugins.tsx';
import { Run } from './Run.tsx';
import { Stats } from './Stats.tsx';

function useHash(): [string, (h: string) => void] {
  const [hash, setHash] = useState(location.hash || '#/fleet');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/fleet');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return [hash, (h: string) => { location.hash = h; }];
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [hash, go] = useHash();
  useEffect(() => {
    whenLoggedOut(() => setSession(null));
    api.session().then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <p class="muted">Loading…</p>;
  if (session === null) return <Login onLogin={setSession} />;
  const admin = session.role === 'admin';
  const [, page = 'fleet', arg] = hash.split('/');
  const param = arg !== undefined ? decodeURIComponent(arg) : undefined;
  const tabs: Array<[string, string]> = [
    ['fleet', 'Fleet'],
    ...(admin ? [['run', 'Run'] as [string, string]] : []),
    ['jobs', 'Jobs'],
    ['stats', 'Statistics'],
    ['plugins', 'Plugins'],
    ['install', 'Add machines'],
  ];
  const logout = async () => {
    await api.post('/api/logout').catch(() => undefined);
    setSession(null);
  };
  let view;
  switch (page) {
    case 'node':
      view = <NodeDetail identity={param ?? ''} />;
      break;
    case 'run':
      view = admin ? <Run key={param ?? ''} go={go} allow={session.allow} initialAgent={param} /> : (
        <main>
          <p class="notice">Watchers cannot run actions.</p>
        </main>
      );
      break;
    case 'jobs':
      view = param !== undefined ? <JobView id={param} canRun={admin} go={go} /> : <Jobs go={go} />;
      break;
    case 'stats':
      view = <Stats />;
      break;
    case 'plugins':
      view = <Plugins go={go} canRun={admin} />;
      break;
    case 'install':
      view = <Install />;
      break;
    default:
      view = <Fleet go={go} />;
  }
  return (
    <>
      <header>
        <strong class="brand">Cohort</strong>
        <nav>
          {tabs.map(([id, label]) => (
            <a key={id} href={`#/${id}`} class={page === id || (id === 'fleet' && page === 'node') ? 'active' : ''} id={`tab-${id}`}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who" id="who">
          {session.user} ({session.role})
        </span>
        <button class="link" id="logout" onClick={logout}>
          Log out
        </button>
      </header>
      {view}
    </>
  );
}
