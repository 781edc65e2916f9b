#!/usr/bin/env node
// Benchmarks (medians of repeated runs), printed as a table.
//   node scripts/bench.mjs [--runs N]
// Targets: `cohort --version` < 150 ms; `cohort rpc rpcutil ping` against 10 and 50
// local nodes < 0.3 s (MCollective 2.12: 2.4-2.5 s with its default 2 s discovery).
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer } from './lib/nats-server.mjs';
import { cohortBin, startFleet, syntheticNodes } from './lib/fleet.mjs';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeCommand(args, env = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cohortBin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`cohort ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    samples.push(ms);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

const rows = [];
const row = (name, r, target) => rows.push({ name, ...r, target });

row('cohort --version', timeCommand(['--version']), 150);
row('cohort --help', timeCommand(['--help']), undefined);

for (const count of [10, 50]) {
  const nats = await startNatsServer();
  const nodes = syntheticNodes(count);
  const fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes, pluginDirs: [], readyTimeoutMs: 120000 });
  try {
    const env = { COHORT_NATS: nats.url };
    timeCommand(['rpc', 'rpcutil', 'ping'], env); // warm the page cache
    row(`rpc rpcutil ping, ${count} nodes (discovery)`, timeCommand(['rpc', 'rpcutil', 'ping'], env), 300);
    row(`rpc rpcutil ping, ${count} nodes (--discovery-window 100)`, timeCommand(['rpc', 'rpcutil', 'ping', '--discovery-window', '0.1'], env), undefined);
    const list = join(mkdtempSync(join(tmpdir(), 'cohort-bench-')), 'nodes.txt');
    writeFileSync(list, nodes.map((n) => n.identity).join('\n') + '\n');
    row(`rpc rpcutil ping, ${count} nodes (--nodes file)`, timeCommand(['rpc', 'rpcutil', 'ping', '--nodes', list], env), undefined);
  } finally {
    await fleet.stop();
    await nats.stop();
  }
}

const fmt = (n) => `${n.toFixed(0)} ms`;
const header = ['benchmark', 'median', 'min', 'max', 'target', ''];
const table = rows.map((r) => [r.name, fmt(r.median), fmt(r.min), fmt(r.max), r.target ? `< ${r.target} ms` : '', r.target ? (r.median < r.target ? 'met' : 'MISSED') : '']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`\nCohort benchmarks (${runs} runs each, median; node ${process.version}, ${(await import('node:os')).cpus().length} cores)\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const t of table) console.log(line(t));
