// The expression check kind over collector metrics and the check's vars.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckDefinition } from '@cohort/core';
import { createExpressionKind, nodeFunctions } from '@cohort/server';

const metrics = new Map<string, number>([
  ['load.load1', 3.5],
  ['memory.used_pct', 42.123],
  ['disk./.used_pct', 91],
]);
const ctx = { signal: new AbortController().signal, metrics: () => metrics, identity: 'n1', clock: Date.now };
const def = (d: Partial<CheckDefinition>): CheckDefinition => ({
  name: 'load',
  kind: 'expression',
  vars: { warn: 2, crit: 4 },
  intervalMs: 60_000,
  timeoutMs: 10_000,
  splay: false,
  retries: 1,
  handlers: [],
  source: 'config',
  ...d,
});

test('critical_if, warning_if and ok, with perfdata of the metrics read', async () => {
  const kind = createExpressionKind();
  const w = await kind.run(def({ critical_if: 'load.load1 > crit', warning_if: 'load.load1 > warn' }), ctx);
  assert.equal(w.state, 'warning');
  assert.equal(w.output, 'WARNING: load.load1 > warn (load.load1=3.5)');
  assert.deepEqual(w.perfdata, [{ label: 'load.load1', value: 3.5 }]);
  const c = await kind.run(def({ critical_if: "disk['/'].used_pct >= 90", warning_if: 'load.load1 > warn' }), ctx);
  assert.equal(c.state, 'critical');
  const ok = await kind.run(def({ critical_if: 'load.load1 > crit * 2', output: '{{ state }}: load {{ load.load1 }}, memory {{ memory.used_pct }}%' }), ctx);
  assert.equal(ok.state, 'ok');
  assert.equal(ok.output, 'OK: load 3.5, memory 42.12%');
  assert.deepEqual(ok.perfdata.map((p) => p.label), ['load.load1', 'memory.used_pct']);
});

test('what cannot be evaluated is unknown with the reason, never an exception', async () => {
  const kind = createExpressionKind();
  const missing = await kind.run(def({ critical_if: 'swap.used_pct > 50' }), ctx);
  assert.equal(missing.state, 'unknown');
  assert.match(missing.output, /unknown name 'swap.used_pct' at position 0 in expression 'swap.used_pct > 50'/);
  const syntax = await kind.run(def({ warning_if: 'load.load1 >' }), ctx);
  assert.equal(syntax.state, 'unknown');
  assert.match(syntax.output, /expected a value but found end of expression at position 12/);
  assert.match((await kind.run(def({}), ctx)).output, /neither critical_if nor warning_if/);
  assert.match((await kind.run(def({ critical_if: 'false', output: '{{ nope }}' }), ctx)).output, /unknown name 'nope' at position 3/);
});

test('host functions: grep within the allowed directories only, metric() by full name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-expr-'));
  writeFileSync(join(dir, 'release'), 'CentOS Linux release 7.9\n');
  const kind = createExpressionKind({ functions: nodeFunctions({ allow: [dir], metrics: () => metrics }) });
  const r = await kind.run(def({ critical_if: `grep('centos', '${dir}/release') && metric('disk./.used_pct') > 90` }), ctx);
  assert.equal(r.state, 'critical', r.output);
  const outside = await kind.run(def({ critical_if: "grep('root', '/etc/passwd')" }), ctx);
  assert.equal(outside.state, 'unknown');
  assert.match(outside.output, /grep\(\): '\/etc\/passwd' is outside the directories it may read/);
});

test('rules over the real collectors of this machine', { skip: process.platform === 'linux' ? false : 'collectors read /proc (Linux only)' }, async () => {
  const { createSampler } = await import('@cohort/server');
  const { silentLogger } = await import('@cohort/core/log');
  const sampler = createSampler({ collectors: ['load', 'memory', 'disk', 'uptime'], intervalMs: 60_000, log: silentLogger() });
  await sampler.sample();
  const real = { ...ctx, metrics: () => sampler.snapshot() };
  const kind = createExpressionKind();
  const r = await kind.run(def({ vars: { max_pct: 100.01 }, critical_if: 'memory.used_pct > max_pct || uptime.seconds <= 0', warning_if: 'load.load1 < 0', output: 'memory {{ memory.used_pct }}% of {{ round(memory.total / 1048576) }} MiB, up {{ uptime.seconds }} s' }), real);
  assert.equal(r.state, 'ok', r.output);
  assert.match(r.output, /^memory \d+(\.\d+)?% of \d+ MiB, up \d+ s$/);
  assert.deepEqual(r.perfdata.map((p) => p.label).sort(), ['load.load1', 'memory.total', 'memory.used_pct', 'uptime.seconds']);
  const crit = await kind.run(def({ critical_if: 'memory.used_pct > 0 && memory.total > 0' }), real);
  assert.equal(crit.state, 'critical', crit.output);
});
