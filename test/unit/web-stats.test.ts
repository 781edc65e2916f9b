// /api/stats without a network: the Graphite render API call is built from
// checked parameters only, and its answer is turned into [unixSeconds, value]
// points; Graphite failures are 502s naming the server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { graphiteStats, StatsError } from '../../packages/web/src/stats.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadServerConfig } from '@cohort/agents';
import { installInfo } from '../../packages/web/src/install.ts';

function fakeGraphite(answer: unknown, status = 200): { fetcher: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fetcher = (async (url: string | URL) => {
    urls.push(String(url));
    return new Response(JSON.stringify(answer), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetcher, urls };
}

describe('graphite statistics', () => {
  test('the target is the prefix with the identity (dots as _) and the metric; points are [time, value]', async () => {
    const g = fakeGraphite([{ target: 'cohort.web1_example_com.load.load1', datapoints: [[0.5, 1700000000], [null, 1700000060]] }]);
    const out = await graphiteStats('http://graphite:8080', 'cohort.<identity>.', { identity: 'web1.example.com', metric: 'load.load1', from: '-2h' }, g.fetcher);
    assert.deepEqual(out, { series: [{ target: 'cohort.web1_example_com.load.load1', points: [[1700000000, 0.5], [1700000060, null]] }] });
    const u = new URL(g.urls[0]!);
    assert.equal(u.pathname, '/render');
    assert.equal(u.searchParams.get('target'), 'cohort.web1_example_com.load.load1');
    assert.equal(u.searchParams.get('from'), '-2h');
    assert.equal(u.searchParams.get('format'), 'json');
  });
  test('parameters are checked before anything is asked, naming the field', async () => {
    const g = fakeGraphite([]);
    const cases: Array<[Record<string, string>, string]> = [
      [{ identity: 'web1&target=x', metric: 'load' }, 'identity'],
      [{ identity: 'web1', metric: 'load)|sumSeries(' }, 'metric'],
      [{ identity: 'web1', metric: 'load', from: 'yesterday' }, 'from'],
      [{ metric: 'load' }, 'identity'],
    ];
    for (const [q, field] of cases) {
      await assert.rejects(graphiteStats('http://g', 'p.<identity>.', q, g.fetcher), (e: unknown) => e instanceof StatsError && e.status === 400 && e.field === field);
    }
    assert.equal(g.urls.length, 0);
  });
  test('a failing Graphite is a 502 naming it', async () => {
    const g = fakeGraphite({ error: 'x' }, 500);
    await assert.rejects(graphiteStats('http://g:1', 'p.', { identity: 'a', metric: 'b' }, g.fetcher), (e: unknown) => e instanceof StatsError && e.status === 502 && /Graphite at http:\/\/g:1 answered 500/.test(e.message));
    const down = (async () => {
      throw new Error('connect ECONNREFUSED');
    }) as unknown as typeof fetch;
    await assert.rejects(graphiteStats('http://g:1', 'p.', { identity: 'a', metric: 'b' }, down), /did not answer: connect ECONNREFUSED/);
  });
});

describe('install instructions', () => {
  test('the NATS URL for nodes wins over the console\'s own; the collective is named', () => {
    const a = installInfo({ servers: ['nats://10.0.0.1:4222'], natsUrlForNodes: undefined, collective: 'dc1' });
    assert.equal(a.nats, 'nats://10.0.0.1:4222');
    assert.match(a.cloudInit, /collectives: \[dc1\]/);
    const b = installInfo({ servers: ['nats://127.0.0.1:4222'], natsUrlForNodes: 'tls://nats.example.com:4222', collective: 'dc1' });
    assert.equal(b.nats, 'tls://nats.example.com:4222');
    assert.match(b.cloudInit, /servers: \["tls:\/\/nats.example.com:4222"\]/);
  });
  test("the cloud-init is YAML and the server.yaml it writes is a config cohortd accepts", () => {
    const info = installInfo({ servers: ['nats://10.0.0.1:4222'], natsUrlForNodes: undefined, collective: 'dc1' });
    const doc = yaml.load(info.cloudInit) as { write_files: Array<{ path: string; content: string }>; runcmd: unknown[] };
    const file = doc.write_files.find((f) => f.path === '/etc/cohort/server.yaml');
    assert.ok(file);
    const dir = mkdtempSync(join(tmpdir(), 'cohort-web-install-'));
    try {
      const path = join(dir, 'server.yaml');
      writeFileSync(path, file.content);
      const { config } = loadServerConfig({ file: path });
      assert.deepEqual(config.collectives, ['dc1']);
      assert.deepEqual(config.nats.servers, ['nats://10.0.0.1:4222']);
      assert.equal(config.security.mode, 'signed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
