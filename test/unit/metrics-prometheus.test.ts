// Prometheus /metrics served by prom-client on a loopback port: daemon
// counters, collector metrics with labels, check states and perfdata; other
// paths 404, other methods 405, a busy address a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@cohort/core/log';
import { createSampler, startPrometheus, Stats, type CheckMetrics } from '@cohort/server';

test('/metrics exports daemon statistics, collectors and checks; anything else is 404', async () => {
  const stats = new Stats();
  stats.total = 7;
  stats.drop('unsigned');
  const sampler = createSampler({ collectors: ['load', 'disk', 'network'], intervalMs: 60_000, log: silentLogger() });
  await sampler.sample();
  let checks: CheckMetrics[] = [{ check: 'load', state: 'warning', perfdata: [{ label: 'load1', value: 3.5 }] }];
  const endpoint = await startPrometheus({ listen: '127.0.0.1:0', identity: 'n1', stats: () => stats.snapshot(), sampler, checks: () => checks, extra: () => ({ graphite_lines_dropped_total: 3, graphite_lines_buffered: 2 }), log: silentLogger() });
  try {
    const res = await fetch(endpoint.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /^cohortd_messages_received_total\{identity="n1"\} 7$/m);
    assert.match(text, /^cohortd_messages_dropped_total\{reason="unsigned",identity="n1"\} 1$/m);
    assert.match(text, /^cohort_load_load1\{identity="n1"\} \d/m);
    assert.match(text, /^cohort_disk_used_pct\{mount="[^"]+",identity="n1"\} \d/m);
    assert.match(text, /^cohort_net_rx_bytes_total\{interface="lo",identity="n1"\} \d/m);
    assert.match(text, /^cohort_check_state\{check="load",identity="n1"\} 1$/m);
    assert.match(text, /^cohort_check_status\{check="load",state="warning",identity="n1"\} 1$/m);
    assert.match(text, /^cohort_check_perfdata\{check="load",label="load1",uom="",identity="n1"\} 3.5$/m);
    assert.match(text, /^cohortd_graphite_lines_dropped_total\{identity="n1"\} 3$/m);
    assert.match(text, /^cohortd_process_resident_memory_bytes/m);
    // Checks come and go between scrapes.
    checks = [];
    assert.doesNotMatch(await (await fetch(endpoint.url)).text(), /cohort_check_state\{/);
    for (const path of ['/', '/metrics/x', '/favicon.ico', '/METRICS']) assert.equal((await fetch(endpoint.url.replace('/metrics', path))).status, 404, path);
    assert.equal((await fetch(endpoint.url, { method: 'POST', body: 'x' })).status, 405);
    await assert.rejects(
      startPrometheus({ listen: endpoint.url.replace(/^http:\/\/|\/metrics$/g, ''), identity: 'n1', stats: () => stats.snapshot(), sampler, checks: () => [], log: silentLogger() }),
      /cannot serve Prometheus metrics on 127\.0\.0\.1:\d+ \(metrics.prometheus.listen\): .*EADDRINUSE/,
    );
  } finally {
    await endpoint.close();
  }
});
