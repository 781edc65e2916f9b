// Metrics out of a real cohortd, into the real tools (Debian packages):
// (a) a real carbon-cache receives the Graphite push, read back from its
//     whisper files (with the storage-schemas/aggregation of docs/metrics.md);
// (b) a real Prometheus scrapes the node's /metrics; its query API answers;
// (c) the graphite check kind against a real graphite-web (Debian's, run
//     with Django's server over the carbon's whisper files);
// (d) a detector adds a class seen by `cohort find -C` without a restart.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckDefinition } from '@cohort/core';
import { createGraphiteKind } from '@cohort/server';
import { cohort, findNatsServer, freePort, repoRoot, startFleet, startNatsServer, untilValue, type Fleet, type NatsServer } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';
import { stopProcess } from '../harness/process.js';

const python = '/usr/bin/python3';
const carbonBin = '/usr/bin/carbon-cache';
const prometheusBin = '/usr/bin/prometheus';
const graphiteManage = '/usr/bin/graphite-manage';

/** Why a tool cannot run here (a CI run must have them all: .ci/run installs them). */
function missing(what: string, ok: boolean, install: string): string | undefined {
  if (ok) return undefined;
  const why = `${what} missing: apt-get install ${install}`;
  if (process.env['CI']) throw new Error(why);
  return why;
}
const hasPython = (mod: string) => existsSync(python) && spawnSync(python, ['-c', `import ${mod}`]).status === 0;
const noNats = findNatsServer() ? undefined : missing('nats-server', false, 'nats-server');
const noCarbon = noNats ?? missing(`${carbonBin} or python3-whisper`, existsSync(carbonBin) && hasPython('whisper'), 'graphite-carbon python3-whisper');
const noPrometheus = noNats ?? missing(prometheusBin, existsSync(prometheusBin), 'prometheus');
const noGraphiteWeb = noCarbon ?? missing(`${graphiteManage} (graphite-web)`, existsSync(graphiteManage) && hasPython('graphite.settings'), 'graphite-web');

const identity = 'm1';
const memTotal = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;

let dir: string;
let nats: NatsServer | undefined;
let fleet: Fleet | undefined;
const children: ChildProcess[] = [];
const ports = { carbonLine: 0, carbonPickle: 0, carbonQuery: 0, prometheusListen: 0, prometheusWeb: 0, graphiteWeb: 0 };
const flagFile = () => join(dir, 'detect', 'flag');

function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000, logs?: () => string): Promise<T> {
  return untilValue(what, probe, { timeoutMs, everyMs: 250, ...(logs ? { log: logs } : {}) });
}

const canConnect = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });

/** Start a tool in the foreground, its output kept for failure messages; killed in after(). */
function start(cmd: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; log: () => string } {
  const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, log: () => log };
}

function startCarbon(): { log: () => string } {
  const conf = join(dir, 'carbon');
  for (const d of ['whisper', 'log', 'run']) mkdirSync(join(conf, d), { recursive: true });
  // The storage settings docs/metrics.md recommends.
  for (const f of ['storage-schemas.conf', 'storage-aggregation.conf']) copyFileSync(join(repoRoot, 'examples/graphite', f), join(conf, f));
  writeFileSync(
    join(conf, 'carbon.conf'),
    [
      '[cache]',
      `STORAGE_DIR = ${conf}/`,
      `LOCAL_DATA_DIR = ${conf}/whisper/`,
      `WHISPER_DIR = ${conf}/whisper/`,
      `CONF_DIR = ${conf}/`,
      `LOG_DIR = ${conf}/log/`,
      `PID_DIR = ${conf}/run/`,
      'DATABASE = whisper',
      'ENABLE_LOGROTATION = False',
      'ENABLE_TAGS = False',
      'MAX_CACHE_SIZE = inf',
      'MAX_UPDATES_PER_SECOND = 1000',
      'MAX_CREATES_PER_MINUTE = inf',
      'WHISPER_AUTOFLUSH = True',
      'LINE_RECEIVER_INTERFACE = 127.0.0.1',
      `LINE_RECEIVER_PORT = ${ports.carbonLine}`,
      'ENABLE_UDP_LISTENER = False',
      'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
      `PICKLE_RECEIVER_PORT = ${ports.carbonPickle}`,
      'CACHE_QUERY_INTERFACE = 127.0.0.1',
      `CACHE_QUERY_PORT = ${ports.carbonQuery}`,
      '',
    ].join('\n'),
  );
  return start(carbonBin, [`--config=${join(conf, 'carbon.conf')}`, `--pidfile=${join(conf, 'run', 'carbon.pid')}`, '--nodaemon', 'start']);
}

const whisperDir = () => join(dir, 'carbon', 'whisper');

/** Read a whisper file with python3-whisper: its info and the newest non-null value. */
function readWhisper(file: string): { xff: number; aggregation: string; finest: number; last: number | null } {
  const code = [
    'import json, sys, time, whisper',
    'info = whisper.info(sys.argv[1])',
    '(start, end, step), values = whisper.fetch(sys.argv[1], time.time() - 600)',
    'vals = [v for v in values if v is not None]',
    'print(json.dumps({"xff": info["xFilesFactor"], "aggregation": info["aggregationMethod"], "finest": info["archives"][0]["secondsPerPoint"], "last": vals[-1] if vals else None}))',
  ].join('\n');
  const r = spawnSync(python, ['-c', code, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reading ${file} with python3-whisper failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { xff: number; aggregation: string; finest: number; last: number | null };
}

before(async () => {
  if (noNats) return;
  dir = mkdtempSync(join(tmpdir(), 'cohort-metrics-'));
  mkdirSync(join(dir, 'detect'));
  for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
  nats = await startNatsServer({ jetstream: true });
  fleet = await startFleet({
    natsUrl: nats.url,
    monitorPort: nats.monitorPort,
    dir: join(dir, 'fleet'),
    registry: true,
    nodes: [{ identity, facts: { role: 'metrics' }, classes: ['base'] }],
    config: {
      metrics: {
        interval: 1,
        prometheus: { listen: `127.0.0.1:${ports.prometheusListen}` },
        // Carbon may start after the node: the push buffers and reconnects.
        graphite: { carbon: `127.0.0.1:${ports.carbonLine}`, interval: 1, prefix: 'cohort' },
      },
      detectors: [{ name: 'flag', apply_if: `grep('^enabled', '${flagFile()}')`, classes: ['detected_web', 'linux'], interval: 1 }],
    },
  });
});

after(async () => {
  await Promise.all(children.map((c) => stopProcess(c, { signal: 'SIGKILL' })));
  await fleet?.stop();
  await nats?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Graphite: a real carbon-cache receives the push', { skip: noCarbon }, () => {
  test('collector metrics land in whisper files under <prefix>.<identity>.<group>.<metric>, with xFilesFactor 0', { timeout: 180_000 }, async () => {
    const carbon = startCarbon();
    const file = join(whisperDir(), 'cohort', identity, 'memory', 'total.wsp');
    const value = await until(
      `${file} with a value`,
      () => {
        if (!existsSync(file)) return undefined;
        const w = readWhisper(file);
        return w.last === null ? undefined : w;
      },
      120_000,
      () => `carbon:\n${carbon.log()}\ncohortd:\n${fleet?.nodes.get(identity)?.log()}`,
    );
    assert.equal(value.last, memTotal);
    // The storage settings of docs/metrics.md applied: 15 s finest archive, no xFilesFactor trap, average for gauges.
    assert.equal(value.xff, 0);
    assert.equal(value.finest, 15);
    assert.equal(value.aggregation, 'average');
    const rx = readWhisper(join(whisperDir(), 'cohort', identity, 'net', 'lo', 'rx_bytes.wsp'));
    assert.equal(rx.aggregation, 'last');
    for (const f of ['load/load1.wsp', 'cpu/idle_pct.wsp', 'uptime/seconds.wsp', 'processes/total.wsp', 'disk']) assert.ok(existsSync(join(whisperDir(), 'cohort', identity, f)), f);
  });
});

describe('graphite check kind against a real graphite-web', { skip: noGraphiteWeb }, () => {
  test('render API over the whisper files: thresholds, comparisons and no data', { timeout: 180_000 }, async () => {
    const memFile = join(whisperDir(), 'cohort', identity, 'memory', 'used_pct.wsp');
    await until(`${memFile}`, () => (existsSync(memFile) ? true : undefined), 120_000);
    const settings = join(dir, 'graphite-web');
    mkdirSync(join(settings, 'log'), { recursive: true });
    writeFileSync(
      join(settings, 'cohort_graphite_settings.py'),
      [
        "SECRET_KEY = 'cohort-test'",
        "GRAPHITE_ROOT = '/usr/share/graphite-web'",
        "STATIC_ROOT = '/usr/share/graphite-web/static'",
        `STORAGE_DIR = '${join(dir, 'carbon')}'`,
        `WHISPER_DIR = '${whisperDir()}/'`,
        `LOG_DIR = '${join(settings, 'log')}'`,
        `INDEX_FILE = '${join(settings, 'index')}'`,
        `CARBONLINK_HOSTS = ['127.0.0.1:${ports.carbonQuery}']`,
        `DATABASES = {'default': {'NAME': '${join(settings, 'graphite.db')}', 'ENGINE': 'django.db.backends.sqlite3'}}`,
        '',
      ].join('\n'),
    );
    const web = start(python, [graphiteManage, 'runserver', `127.0.0.1:${ports.graphiteWeb}`, '--noreload'], { PYTHONPATH: settings, GRAPHITE_SETTINGS_MODULE: 'cohort_graphite_settings' });
    const base = `http://127.0.0.1:${ports.graphiteWeb}`;
    await until('graphite-web', async () => ((await canConnect(ports.graphiteWeb)) ? true : undefined), 60_000, web.log);

    const kind = createGraphiteKind({ renderUrl: base });
    const def = (target: string, vars: CheckDefinition['vars']): CheckDefinition => ({ name: 'g', kind: 'graphite', vars, graphite: { target, window: 600 }, intervalMs: 60_000, timeoutMs: 30_000, splay: false, retries: 1, handlers: [], source: 'config' });
    const ctx = { signal: AbortSignal.timeout(30_000), metrics: () => new Map<string, number>(), identity: 'test', clock: Date.now };
    // Memory in use is above 0 % and below 100 %: one series, critical or ok by the comparison.
    const high = await kind.run(def(`cohort.${identity}.memory.used_pct`, { critical: 0 }), ctx);
    assert.equal(high.state, 'critical', high.output);
    assert.match(high.output, /1 of 1 series > 0/);
    assert.equal(high.perfdata[0]?.label, `cohort.${identity}.memory.used_pct`);
    assert.ok((high.perfdata[0]?.value ?? 0) > 0);
    const fine = await kind.run(def(`cohort.${identity}.memory.used_pct`, { critical: 100, warning: 99.99 }), ctx);
    assert.equal(fine.state, 'ok', fine.output);
    // Wildcards and graphite functions go through the render API as they are.
    const total = await kind.run(def(`sumSeries(cohort.${identity}.memory.{used,available})`, { critical: memTotal * 10 }), ctx);
    assert.equal(total.state, 'ok', total.output);
    assert.equal(total.perfdata.length, 1);
    // Nothing stored under that name: the configured no-data state.
    assert.equal((await kind.run(def(`cohort.${identity}.nothing.here`, { critical: 1 }), ctx)).state, 'unknown');
    assert.equal((await kind.run(def(`cohort.${identity}.nothing.here`, { critical: 1, no_data: 'critical' }), ctx)).state, 'critical');
  });
});

describe('Prometheus: a real prometheus scrapes the node', { skip: noPrometheus }, () => {
  test("the node's /metrics is scraped and a collector metric answers a PromQL query", { timeout: 180_000 }, async () => {
    const cfg = join(dir, 'prometheus.yml');
    writeFileSync(
      cfg,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: cohortd',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${ports.prometheusListen}']`,
        '',
      ].join('\n'),
    );
    const prom = start(prometheusBin, [`--config.file=${cfg}`, `--storage.tsdb.path=${join(dir, 'prometheus-data')}`, `--web.listen-address=127.0.0.1:${ports.prometheusWeb}`, '--log.level=warn']);
    const query = async (q: string) => {
      try {
        const res = await fetch(`http://127.0.0.1:${ports.prometheusWeb}/api/v1/query?query=${encodeURIComponent(q)}`);
        if (!res.ok) return undefined;
        const body = (await res.json()) as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
        return body.data?.result?.length ? body.data.result : undefined;
      } catch {
        return undefined;
      }
    };
    const mem = await until('cohort_memory_total in Prometheus', () => query(`cohort_memory_total{identity="${identity}"}`), 120_000, prom.log);
    assert.equal(Number(mem[0]?.value[1]), memTotal);
    assert.equal(mem[0]?.metric['job'], 'cohortd');
    // The target is up, and daemon statistics and labelled collector metrics are there too.
    const up = await until('up', () => query(`up{job="cohortd"} == 1`), 60_000, prom.log);
    assert.equal(up.length, 1);
    const disks = await until('disk metrics', () => query('cohort_disk_used_pct'), 60_000, prom.log);
    assert.ok(disks.every((d) => d.metric['mount']?.startsWith('/')));
    await until('daemon counters', () => query('cohortd_messages_received_total'), 60_000, prom.log);
    // Any other path is 404.
    assert.equal((await fetch(`http://127.0.0.1:${ports.prometheusListen}/`)).status, 404);
  });
});

describe('detectors', { skip: noNats }, () => {
  test('a detector adds a class seen by cohort find -C and the registry, without a restart', { timeout: 180_000 }, async () => {
    assert.ok(fleet);
    const pid = fleet.nodes.get(identity)?.process.pid;
    const find = async (dm: 'broadcast' | 'registry') => {
      const r = await cohort(['find', '-C', 'detected_web', '--dm', dm], { nats: nats?.url ?? '', env: fleet?.clientEnv ?? {} });
      return r.stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(await find('broadcast'), []);
    writeFileSync(flagFile(), 'enabled\n');
    await until('the class by broadcast', async () => ((await find('broadcast')).includes(identity) ? true : undefined), 60_000);
    await until('the class in the registry', async () => ((await find('registry')).includes(identity) ? true : undefined), 60_000);
    // The file classes stay; the detected ones are added to them.
    const base = await cohort(['find', '-C', 'base', '-C', 'linux', '--dm', 'broadcast'], { nats: nats?.url ?? '', env: fleet.clientEnv });
    assert.deepEqual(base.stdout.split('\n').filter(Boolean), [identity]);
    writeFileSync(flagFile(), 'disabled\n');
    await until('the class gone', async () => ((await find('broadcast')).length === 0 ? true : undefined), 60_000);
    assert.equal(fleet.nodes.get(identity)?.process.pid, pid);
    assert.equal(fleet.nodes.get(identity)?.process.exitCode, null);
  });
});
