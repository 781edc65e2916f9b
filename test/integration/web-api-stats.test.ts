// /api/stats for real: a cohortd pushes its metrics to a real carbon-cache
// (Debian's graphite-carbon), a real graphite-web (Django's server over the
// whisper files) answers the render API, and `cohort web` with graphite_url
// turns it into [unixSeconds, value] points for a logged-in watcher; bad
// parameters are 400s naming the field, before Graphite is asked.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { graphiteMissing, startGraphite, type Graphite } from '../harness/graphite.js';
import { cohortBin, startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';

const skip = graphiteMissing() ?? false;
const identity = 'stats1';

describe('cohort web /api/stats over a real Graphite', { skip }, () => {
  let dir: string;
  let nats: NatsServer;
  let fleet: Fleet;
  const children: ChildProcess[] = [];
  const logs = new Map<string, () => string>();
  let graphite: Graphite | undefined;
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
    graphite = await startGraphite(dir);
    logs.set('graphite', graphite.log);
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: join(dir, 'fleet'),
      registry: true,
      nodes: [{ identity, facts: { role: 'metrics' }, classes: [] }],
      config: { metrics: { interval: 1, graphite: { carbon: graphite.carbon, interval: 1, prefix: 'cohort' } } },
    });
    const clientConfig = fleet.clientEnv['COHORT_CONFIG']!;
    writeFileSync(join(dir, 'web.yaml'), yaml.dump({ listen: '127.0.0.1:0', client_config: clientConfig, graphite_url: graphite.url }));
    execFileSync(process.execPath, [cohortBin, 'web', 'useradd', 'bob', '--role', 'watcher', '--config', join(dir, 'web.yaml')], { input: 'bob-password\n', env: { ...process.env, HOME: dir }, stdio: 'pipe' });
    const webLog = start('cohort web', process.execPath, [cohortBin, 'web', '--config', join(dir, 'web.yaml')], { COHORT_KEY: '', COHORT_CONFIG: '', HOME: dir });
    await until('the console to listen', () => /serving the console on http:\/\/\S+\//.test(webLog()), { timeoutMs: 30_000, log: webLog });
    base = /serving the console on (http:\/\/\S+?)\//.exec(webLog())![1]!;
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await graphite?.stop();
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
