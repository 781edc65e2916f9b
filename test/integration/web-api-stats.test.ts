// /api/stats for real: a cohortd pushes its metrics to a real carbon-cache
// (Debian's graphite-carbon), a real graphite-web (Django's server over the
// whisper files) answers the render API, and `cohort web` with graphite_url
// turns it into [unixSeconds, value] points for a logged-in watcher; bad
// parameters are 400s naming the field, before Graphite is asked.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohortBin, freePort, repoRoot, startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';

const python = '/usr/bin/python3';
const carbonBin = '/usr/bin/carbon-cache';
const graphiteManage = '/usr/bin/graphite-manage';
const hasPython = (mod: string) => existsSync(python) && spawnSync(python, ['-c', `import ${mod}`]).status === 0;
function missing(): string | false {
  if (existsSync(carbonBin) && existsSync(graphiteManage) && hasPython('whisper') && hasPython('graphite.settings')) return false;
  const why = 'needs graphite-carbon, python3-whisper and graphite-web (apt-get install graphite-carbon python3-whisper graphite-web)';
  if (process.env['CI']) throw new Error(why);
  return why;
}
const skip = missing();
const identity = 'stats1';

const canConnect = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), ok(true)));
    s.once('error', () => ok(false));
  });

describe('cohort web /api/stats over a real Graphite', { skip }, () => {
  let dir: string;
  let nats: NatsServer;
  let fleet: Fleet;
  const children: ChildProcess[] = [];
  const logs = new Map<string, () => string>();
  const ports = { carbonLine: 0, carbonPickle: 0, carbonQuery: 0, graphiteWeb: 0 };
  let base = '';

  function start(name: string, cmd: string, args: string[], env: Record<string, string> = {}): () => string {
    const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let log = '';
    const keep = (d: Buffer) => (log = (log + d.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    logs.set(name, () => log);
    return () => log;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-web-stats-'));
    for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
    const conf = join(dir, 'carbon');
    for (const d of ['whisper', 'log', 'run']) mkdirSync(join(conf, d), { recursive: true });
    for (const f of ['storage-schemas.conf', 'storage-aggregation.conf']) copyFileSync(join(repoRoot, 'examples/graphite', f), join(conf, f));
    writeFileSync(
      join(conf, 'carbon.conf'),
      ['[cache]', `STORAGE_DIR = ${conf}/`, `LOCAL_DATA_DIR = ${conf}/whisper/`, `WHISPER_DIR = ${conf}/whisper/`, `CONF_DIR = ${conf}/`, `LOG_DIR = ${conf}/log/`, `PID_DIR = ${conf}/run/`, 'DATABASE = whisper', 'ENABLE_LOGROTATION = False', 'ENABLE_TAGS = False', 'MAX_CACHE_SIZE = inf', 'MAX_UPDATES_PER_SECOND = 1000', 'MAX_CREATES_PER_MINUTE = inf', 'WHISPER_AUTOFLUSH = True', 'LINE_RECEIVER_INTERFACE = 127.0.0.1', `LINE_RECEIVER_PORT = ${ports.carbonLine}`, 'ENABLE_UDP_LISTENER = False', 'PICKLE_RECEIVER_INTERFACE = 127.0.0.1', `PICKLE_RECEIVER_PORT = ${ports.carbonPickle}`, 'CACHE_QUERY_INTERFACE = 127.0.0.1', `CACHE_QUERY_PORT = ${ports.carbonQuery}`, ''].join('\n'),
    );
    start('carbon', carbonBin, [`--config=${join(conf, 'carbon.conf')}`, `--pidfile=${join(conf, 'run', 'carbon.pid')}`, '--nodaemon', 'start']);
    const settings = join(dir, 'graphite-web');
    mkdirSync(join(settings, 'log'), { recursive: true });
    writeFileSync(
      join(settings, 'cohort_graphite_settings.py'),
      ["SECRET_KEY = 'cohort-test'", "GRAPHITE_ROOT = '/usr/share/graphite-web'", "STATIC_ROOT = '/usr/share/graphite-web/static'", `STORAGE_DIR = '${conf}'`, `WHISPER_DIR = '${conf}/whisper/'`, `LOG_DIR = '${join(settings, 'log')}'`, `INDEX_FILE = '${join(settings, 'index')}'`, `CARBONLINK_HOSTS = ['127.0.0.1:${ports.carbonQuery}']`, `DATABASES = {'default': {'NAME': '${join(settings, 'graphite.db')}', 'ENGINE': 'django.db.backends.sqlite3'}}`, ''].join('\n'),
    );
    start('graphite-web', python, [graphiteManage, 'runserver', `127.0.0.1:${ports.graphiteWeb}`, '--noreload'], { PYTHONPATH: settings, GRAPHITE_SETTINGS_MODULE: 'cohort_graphite_settings' });
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: join(dir, 'fleet'),
      registry: true,
      nodes: [{ identity, facts: { role: 'metrics' }, classes: [] }],
      config: { metrics: { interval: 1, graphite: { carbon: `127.0.0.1:${ports.carbonLine}`, interval: 1, prefix: 'cohort' } } },
    });
    const clientConfig = fleet.clientEnv['COHORT_CONFIG']!;
    writeFileSync(join(dir, 'web.yaml'), yaml.dump({ listen: '127.0.0.1:0', client_config: clientConfig, graphite_url: `http://127.0.0.1:${ports.graphiteWeb}` }));
    execFileSync(process.execPath, [cohortBin, 'web', 'useradd', 'bob', '--role', 'watcher', '--config', join(dir, 'web.yaml')], { input: 'bob-password\n', env: { ...process.env, HOME: dir }, stdio: 'pipe' });
    const webLog = start('cohort web', process.execPath, [cohortBin, 'web', '--config', join(dir, 'web.yaml')], { COHORT_KEY: '', COHORT_CONFIG: '', HOME: dir });
    await until('the console to listen', () => /serving the console on http:\/\/\S+\//.test(webLog()), { timeoutMs: 30_000, log: webLog });
    base = /serving the console on (http:\/\/\S+?)\//.exec(webLog())![1]!;
    await until('graphite-web to listen', () => canConnect(ports.graphiteWeb), { timeoutMs: 90_000, everyMs: 250, log: logs.get('graphite-web')! });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await fleet?.stop();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a node's pushed metric comes back as points; bad parameters are 400s naming the field", { timeout: 240_000 }, async () => {
    const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'bob', password: 'bob-password' }) });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const stats = async (q: string) => fetch(`${base}/api/stats?${q}`, { headers: { cookie } });
    let series: Array<{ target: string; points: Array<[number, number | null]> }> = [];
    await until(
      'memory.used_pct points from Graphite',
      async () => {
        const res = await stats(`identity=${identity}&metric=memory.used_pct&from=-10min`);
        if (res.status !== 200) return false;
        series = ((await res.json()) as { series: typeof series }).series;
        return series.length === 1 && series[0]!.points.some(([, v]) => v !== null);
      },
      { timeoutMs: 180_000, everyMs: 1000, log: () => [...logs].map(([n, l]) => `--- ${n}\n${l().slice(-1500)}`).join('\n') },
    );
    assert.equal(series[0]!.target, `cohort.${identity}.memory.used_pct`);
    const [t, v] = series[0]!.points.find(([, x]) => x !== null)!;
    assert.ok(Math.abs(t - Date.now() / 1000) < 3600, `a unix time in seconds: ${t}`);
    assert.ok(v! > 0 && v! <= 100, `a percentage: ${v}`);
    const wildcard = (await (await stats(`identity=${identity}&metric=memory.*&from=-10min`)).json()) as { series: unknown[] };
    assert.ok(wildcard.series.length > 1);
    for (const [q, field] of [['identity=a%20b&metric=load', 'identity'], [`identity=${identity}&metric=load)`, 'metric'], [`identity=${identity}&metric=load&from=now`, 'from']] as const) {
      const res = await stats(q);
      assert.equal(res.status, 400, q);
      assert.equal(((await res.json()) as { field: string }).field, field);
    }
  });
});
