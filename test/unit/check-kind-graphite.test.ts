// The graphite check kind against a recorded render API answer served by a
// local HTTP server: thresholds, comparisons, aggregation, allowed failures,
// expected series, no data, and Graphite failing in every way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckDefinition } from '@cohort/core';
import { createGraphiteKind, judgeSeries, graphiteSettings, parseRenderResponse } from '@cohort/server';

const recorded = readFileSync(new URL('../fixtures/graphite/render-load.json', import.meta.url), 'utf8');

interface Seen { url: string }
async function graphite(answer: (url: string) => { status: number; body: string; delayMs?: number }): Promise<{ base: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '' });
    const a = answer(req.url ?? '');
    setTimeout(() => res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body), a.delayMs ?? 0);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const def = (vars: CheckDefinition['vars'], url?: string, target = 'cohort.*.load.load1'): CheckDefinition => ({
  name: 'load',
  kind: 'graphite',
  vars,
  graphite: { target, window: 300, ...(url ? { url } : {}) },
  intervalMs: 60_000,
  timeoutMs: 10_000,
  splay: false,
  retries: 3,
  handlers: [],
  source: 'config',
});
const ctx = (signal = new AbortController().signal) => ({ signal, metrics: () => new Map<string, number>(), identity: 'n1', clock: Date.now });

test('a recorded render API answer judged against thresholds', async () => {
  const g = await graphite(() => ({ status: 200, body: recorded }));
  try {
    const kind = createGraphiteKind({ renderUrl: `${g.base}/` });
    // Cabot's default: a series fails when any point breaches; web1 peaked at 4.5.
    const crit = await kind.run(def({ critical: 4, warning: 1.2 }), ctx());
    assert.equal(crit.state, 'critical', crit.output);
    assert.match(crit.output, /^CRITICAL: 1 of 2 series > 4 \(any\): cohort\.web1\.load\.load1 max 4\.5/);
    assert.deepEqual(crit.perfdata.map((p) => [p.label, p.value, p.warn, p.crit]), [['cohort.web1.load.load1', 4.5, '1.2', '4'], ['cohort.web2.load.load1', 1.5, '1.2', '4']]);
    assert.equal(g.seen[0]?.url, '/render?target=cohort.*.load.load1&from=-300s&until=now&format=json');
    // One failing series allowed: warning from web2 (1.5 > 1.2) and web1 makes two.
    const warn = await kind.run(def({ critical: 4, warning: 1.2, allowed_failures: 1 }), ctx());
    assert.equal(warn.state, 'warning', warn.output);
    // Averages: web1 avg 1.92, web2 1.25 -> ok against 2.
    const avg = await kind.run(def({ critical: 2, aggregate: 'avg' }), ctx());
    assert.equal(avg.state, 'ok', avg.output);
    // Lower is bad: min below 0.6 on web1.
    const low = await kind.run(def({ critical: 0.6, comparison: '<' }), ctx());
    assert.equal(low.state, 'critical', low.output);
    // Three hosts expected, two have data (web3 is all nulls).
    const hosts = await kind.run(def({ critical: 100, expected_series: 3 }), ctx());
    assert.equal(hosts.state, 'critical');
    assert.match(hosts.output, /2 series with data .* expected 3/);
    // The check's own URL wins over the configured one.
    const own = await createGraphiteKind({ renderUrl: 'http://127.0.0.1:1' }).run(def({ critical: 100 }, g.base), ctx());
    assert.equal(own.state, 'ok', own.output);
  } finally {
    g.server.close();
  }
});

test('no data is the configured state (Cabot pitfall), unknown by default', async () => {
  const g = await graphite(() => ({ status: 200, body: JSON.stringify([{ target: 'x', datapoints: [[null, 1], [null, 2]] }]) }));
  try {
    const kind = createGraphiteKind({ renderUrl: g.base });
    const r = await kind.run(def({ critical: 1 }), ctx());
    assert.equal(r.state, 'unknown');
    assert.match(r.output, /no data for cohort\.\*\.load\.load1/);
    assert.equal((await kind.run(def({ critical: 1, no_data: 'critical' }), ctx())).state, 'critical');
    assert.equal((await kind.run(def({ critical: 1, no_data: 'ok' }), ctx())).state, 'ok');
  } finally {
    g.server.close();
  }
  const empty = await graphite(() => ({ status: 200, body: '[]' }));
  try {
    assert.equal((await createGraphiteKind({ renderUrl: empty.base }).run(def({ critical: 1 }), ctx())).state, 'unknown');
  } finally {
    empty.server.close();
  }
});

test('Graphite failing, bad settings and bad answers are unknown with the reason', async () => {
  const g = await graphite((url) =>
    url.includes('err500') ? { status: 500, body: 'Traceback: boom' } : url.includes('html') ? { status: 200, body: '<html>' } : url.includes('shape') ? { status: 200, body: '{"a":1}' } : { status: 200, body: recorded, delayMs: 2000 },
  );
  try {
    const kind = createGraphiteKind({ renderUrl: g.base });
    const r500 = await kind.run(def({ critical: 1 }, undefined, 'err500'), ctx());
    assert.equal(r500.state, 'unknown');
    assert.match(r500.output, /Graphite answered 500 .*Traceback: boom/);
    assert.match((await kind.run(def({ critical: 1 }, undefined, 'html'), ctx())).output, /is not JSON/);
    assert.match((await kind.run(def({ critical: 1 }, undefined, 'shape'), ctx())).output, /not render API JSON: the answer is not a JSON list/);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const slow = await kind.run(def({ critical: 1 }, undefined, 'slow'), ctx(ac.signal));
    assert.equal(slow.state, 'unknown');
    assert.match(slow.output, /did not answer in time/);
    assert.match((await kind.run(def({}), ctx())).output, /needs vars.critical or vars.warning/);
    assert.match((await kind.run(def({ critical: 'lots' }), ctx())).output, /vars.critical must be a number \(got "lots"\)/);
    assert.match((await kind.run(def({ critical: 1, comparison: '=>' }), ctx())).output, /vars.comparison must be one of/);
    assert.match((await createGraphiteKind({}).run(def({ critical: 1 }), ctx())).output, /no Graphite URL: set metrics.graphite.render_url/);
    const down = await createGraphiteKind({ renderUrl: 'http://127.0.0.1:1' }).run(def({ critical: 1 }), ctx());
    assert.equal(down.state, 'unknown');
    assert.match(down.output, /cannot query Graphite at http:\/\/127\.0\.0\.1:1\/render/);
  } finally {
    g.server.closeAllConnections();
    g.server.close();
  }
});

test('pure parts: settings, answer shape, judging', () => {
  assert.equal(typeof graphiteSettings({ critical: '5' }), 'object');
  assert.match(String(graphiteSettings({ warning: 1, aggregate: 'median' })), /vars.aggregate must be one of/);
  assert.match(String(parseRenderResponse([{ target: 'a', datapoints: [['x', 1]] }])), /not \[value or null, time\]/);
  const s = graphiteSettings({ critical: 10, aggregate: 'all' });
  assert.ok(typeof s === 'object');
  assert.equal(judgeSeries([{ target: 'a', datapoints: [[11, 1], [9, 2]] }], s, 'a').state, 'ok');
  assert.equal(judgeSeries([{ target: 'a', datapoints: [[11, 1], [12, 2]] }], s, 'a').state, 'critical');
});
