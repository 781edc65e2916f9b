// The `metrics:` and `detectors:` config sections: defaults, and bad values
// rejected with the file, the key and the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServerConfig } from '@cohort/agents';

const load = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'cohort-mcfg-')), 'cohortd.yaml');
  writeFileSync(file, text);
  return () => loadServerConfig({ file, env: {} });
};

test('defaults: every collector every 15 s, no Prometheus, no Graphite, no detectors', () => {
  const { config } = loadServerConfig({ env: {} });
  assert.deepEqual(config.metrics.collectors, ['cpu', 'load', 'memory', 'disk', 'network', 'processes', 'uptime']);
  assert.equal(config.metrics.interval, 15);
  assert.equal(config.metrics.prometheus.listen, null);
  assert.equal(config.metrics.graphite.carbon, null);
  assert.equal(config.metrics.graphite.interval, 15);
  assert.equal(config.metrics.graphite.prefix, 'cohort');
  assert.deepEqual(config.detectors, []);
});

test('a full metrics section and detectors load', () => {
  const { config } = load(
    [
      'metrics:',
      '  collectors: [load, memory]',
      '  interval: 30',
      '  prometheus: { listen: "127.0.0.1:9180" }',
      '  graphite: { carbon: "graphite.example.com:2003", prefix: dc1.cohort, interval: 60, buffer: 500, render_url: "http://graphite.example.com" }',
      'detectors:',
      "  - { name: centos, apply_if: \"grep('centos', '/etc/redhat-release')\", classes: [linux, centos], interval: 5m }",
      '',
    ].join('\n'),
  )();
  assert.equal(config.metrics.graphite.prefix, 'dc1.cohort');
  assert.equal(config.detectors[0]?.interval, '5m');
  assert.equal(loadServerConfig({ env: { COHORT_METRICS_PROMETHEUS_LISTEN: '[::1]:9180' } }).config.metrics.prometheus.listen, '[::1]:9180');
});

test('bad values name the file, the key and the reason', () => {
  assert.throws(load('metrics: { collectors: [cpu, gpu] }\n'), /metrics\.collectors/);
  assert.throws(load('metrics: { prometheus: { listen: "9180" } }\n'), /metrics\.prometheus\.listen.*must be host:port, e\.g\. 127\.0\.0\.1:9180 \(got '9180'\)/);
  assert.throws(load('metrics: { graphite: { carbon: "host:99999" } }\n'), /metrics\.graphite\.carbon/);
  assert.throws(load('metrics: { graphite: { prefix: "a..b" } }\n'), /metrics\.graphite\.prefix.*dot-separated words/);
  assert.throws(load('metrics: { graphite: { render_url: "ftp://x" } }\n'), /metrics\.graphite\.render_url.*http/);
  assert.throws(load("detectors: [{ name: x, apply_if: \"grep('a', \", classes: [a] }]\n"), /detectors.*item 0 \('x'\): apply_if: expected a value but found end of expression at position 10 in expression/);
  assert.throws(load('detectors: [{ name: x, apply_if: "true", classes: [a] }, { name: x, apply_if: "true", classes: [b] }]\n'), /two detectors named 'x'/);
  assert.throws(load('detectors: [{ name: x, apply_if: "true", classes: [a], interval: soon }]\n'), /interval must be a duration/);
  assert.throws(load('detectors: [{ name: x, apply_if: "true", classes: ["bad class"] }]\n'), /detectors/);
  assert.throws(load('detectors: [{ name: x, apply_if: "true" }]\n'), /detectors/);
});
