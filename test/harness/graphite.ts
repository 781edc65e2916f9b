// A private Graphite for tests: Debian's carbon-cache (line receiver on a free
// port, whisper files in a temp dir) and graphite-web's render API (Django's
// runserver over those files), for the web console's stats tests
// (test/integration/metrics.test.ts still sets up its own, with extra checks).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './fleet.js';
import { freePort } from './nats-server.js';
import { stopProcess } from './process.js';
import { until } from './wait.js';

const python = '/usr/bin/python3';
const carbonBin = '/usr/bin/carbon-cache';
const graphiteManage = '/usr/bin/graphite-manage';

const hasPython = (mod: string) => existsSync(python) && spawnSync(python, ['-c', `import ${mod}`]).status === 0;

/** Why Graphite cannot run here (undefined when it can); in CI a missing package is a failure, not a skip. */
export function graphiteMissing(): string | undefined {
  if (existsSync(carbonBin) && existsSync(graphiteManage) && hasPython('whisper') && hasPython('graphite.settings')) return undefined;
  const why = 'needs graphite-carbon, python3-whisper and graphite-web (apt-get install graphite-carbon python3-whisper graphite-web)';
  if (process.env['CI']) throw new Error(why);
  return why;
}

const canConnect = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), ok(true)));
    s.once('error', () => ok(false));
  });

export interface Graphite {
  /** host:port of carbon's plaintext line receiver (a node's metrics.graphite.carbon). */
  carbon: string;
  /** Base URL of graphite-web (web.yaml's graphite_url). */
  url: string;
  log(): string;
  /** SIGTERM both, SIGKILL after 10 s; resolves once both have exited (carbon flushes its cache into whisper files on the way out, so remove the directory only after this). */
  stop(): Promise<void>;
}

/** Start carbon-cache and graphite-web with their files under `dir`; resolves once graphite-web listens. */
export async function startGraphite(dir: string): Promise<Graphite> {
  const ports = { line: await freePort(), pickle: await freePort(), query: await freePort(), web: await freePort() };
  const conf = join(dir, 'carbon');
  for (const d of ['whisper', 'log', 'run']) mkdirSync(join(conf, d), { recursive: true });
  for (const f of ['storage-schemas.conf', 'storage-aggregation.conf']) copyFileSync(join(repoRoot, 'examples/graphite', f), join(conf, f));
  writeFileSync(
    join(conf, 'carbon.conf'),
    ['[cache]', `STORAGE_DIR = ${conf}/`, `LOCAL_DATA_DIR = ${conf}/whisper/`, `WHISPER_DIR = ${conf}/whisper/`, `CONF_DIR = ${conf}/`, `LOG_DIR = ${conf}/log/`, `PID_DIR = ${conf}/run/`, 'DATABASE = whisper', 'ENABLE_LOGROTATION = False', 'ENABLE_TAGS = False', 'MAX_CACHE_SIZE = inf', 'MAX_UPDATES_PER_SECOND = 1000', 'MAX_CREATES_PER_MINUTE = inf', 'WHISPER_AUTOFLUSH = True', 'LINE_RECEIVER_INTERFACE = 127.0.0.1', `LINE_RECEIVER_PORT = ${ports.line}`, 'ENABLE_UDP_LISTENER = False', 'PICKLE_RECEIVER_INTERFACE = 127.0.0.1', `PICKLE_RECEIVER_PORT = ${ports.pickle}`, 'CACHE_QUERY_INTERFACE = 127.0.0.1', `CACHE_QUERY_PORT = ${ports.query}`, ''].join('\n'),
  );
  const settings = join(dir, 'graphite-web');
  mkdirSync(join(settings, 'log'), { recursive: true });
  writeFileSync(
    join(settings, 'cohort_graphite_settings.py'),
    ["SECRET_KEY = 'cohort-test'", "GRAPHITE_ROOT = '/usr/share/graphite-web'", "STATIC_ROOT = '/usr/share/graphite-web/static'", `STORAGE_DIR = '${conf}'`, `WHISPER_DIR = '${conf}/whisper/'`, `LOG_DIR = '${join(settings, 'log')}'`, `INDEX_FILE = '${join(settings, 'index')}'`, `CARBONLINK_HOSTS = ['127.0.0.1:${ports.query}']`, `DATABASES = {'default': {'NAME': '${join(settings, 'graphite.db')}', 'ENGINE': 'django.db.backends.sqlite3'}}`, ''].join('\n'),
  );
  let log = '';
  const children: ChildProcess[] = [];
  const start = (name: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (log = (log + `[${name}] ${d.toString()}`).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.push(child);
  };
  start('carbon', carbonBin, [`--config=${join(conf, 'carbon.conf')}`, `--pidfile=${join(conf, 'run', 'carbon.pid')}`, '--nodaemon', 'start']);
  start('graphite-web', python, [graphiteManage, 'runserver', `127.0.0.1:${ports.web}`, '--noreload'], { PYTHONPATH: settings, GRAPHITE_SETTINGS_MODULE: 'cohort_graphite_settings' });
  const stop = () => Promise.all(children.map((c) => stopProcess(c))).then(() => undefined);
  try {
    await until('graphite-web to listen', () => canConnect(ports.web), { timeoutMs: 90_000, everyMs: 250, log: () => log });
  } catch (err) {
    await stop();
    throw err;
  }
  return { carbon: `127.0.0.1:${ports.line}`, url: `http://127.0.0.1:${ports.web}`, log: () => log, stop };
}
