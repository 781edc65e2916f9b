#!/usr/bin/env node
// Benchmarks, printed as a markdown table and written under bench/results/.
//
//   node scripts/bench.mjs                 N = 100, 250, 500, 1,000, 5,000, 10,000 (takes a while)
//   node scripts/bench.mjs --quick         N = 100 and 1,000, fewer runs (a few minutes)
//   node scripts/bench.mjs --sizes 100,2000 --runs 20 --per-process 2500 --no-startup
//   node scripts/bench.mjs --scale [--nodes 50000] [--runs 10]   over a 3-server NATS cluster
//   node scripts/bench.mjs --sizes none --no-startup --real-fleet 50,250 [--idle-seconds 60]   real daemons only
//   node scripts/bench.mjs --mine [--nodes 1000] [--interval 60] [--observe 120] [--reads 1000] [--get-reads 100]   the mine (docs/mine.md)
//   node scripts/bench.mjs --checks [--nodes 1000] [--per-node 1] [--runs 10]   cohort checks over cached states (docs/checks.md)
//   node scripts/bench.mjs --handlers [--events 200] [--gap 50]   event published -> handler received (docs/handlers.md)
//   node scripts/bench.mjs --checks-node [--count 20] [--interval 60] [--observe 180]   a node's CPU running checks (docs/checks-node.md)
//   node scripts/bench.mjs --dns [--nodes 10000] [--seconds 5] [--concurrency 1,8,32] [--changes 20]   cohort dns (docs/service-discovery.md)
//
// For each N: (a) the floor, raw nats.js scatter-gather over N connections;
// (b) `rpcutil ping` through the client library with registry discovery;
// (c) `cohort rpc rpcutil ping` as a user runs it (new process, wall time);
// (d) broadcast discovery with the 300 ms quiet window; replies lost; RSS per
// virtual node; client CPU per 1,000 replies; and at N = 100 sequential
// requests/s. Plus the idle RSS of a real cohortd, the node pipeline's CPU per
// request without network, and the CLI start-up rows. Then fleets of real
// cohortd processes (--real-fleet, default 50 and 250; 50 with --quick): the
// CLI against them next to a bare `node -e 0`, idle RSS/CPU/wake-ups per
// daemon over --idle-seconds (default 60), CPU per request per daemon.
// Modules: scripts/bench/*.mjs. Virtual nodes come from cohort-sim.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { findNatsServer, repoRoot } from './harness.mjs';
import { renderReport } from './bench/report.mjs';
import { pipelineMicros } from './bench/pipeline.mjs';
import { registryVerifyMs } from './bench/registry-verify.mjs';
import { measureSize } from './bench/scale.mjs';
import { measureClusterScale, renderScale } from './bench/cluster-scale.mjs';
import { cohortdIdleRss, startupRows } from './bench/startup.mjs';
import { puppetralRows } from './bench/puppetral.mjs';
import { loadAverage } from './bench/util.mjs';
import { measureRealFleet } from './bench/real-fleet.mjs';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  // The usage is this file's opening comment.
  const { readFileSync } = await import('node:fs');
  const head = readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1);
  const usage = head.slice(0, head.findIndex((l) => !l.startsWith('//')));
  process.stdout.write(`${usage.map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`);
  process.exit(0);
}
const flag = (name) => argv.includes(`--${name}`);
const value = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const quick = flag('quick');
const sizeList = (text) =>
  text === 'none'
    ? []
    : text
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
const sizes = sizeList(value('sizes', quick ? '100,1000' : '100,250,500,1000,5000,10000'));
const realFleets = flag('no-real-fleet') ? [] : sizeList(value('real-fleet', quick ? '50' : '50,250'));
const idleSeconds = Number(value('idle-seconds', '60'));
const runs = Number(value('runs', quick ? '20' : '20'));
const warmup = Number(value('warmup', '3'));
const perProcess = Number(value('per-process', '2500'));
const log = (s) => process.stderr.write(`[bench] ${s}\n`);

const scale = flag('scale');
if (!scale && Math.max(0, ...sizes) > 19000) {
  console.error('one nats-server holds at most ~19,900 connections here (open-files limit 20,000): for more nodes use --scale [--nodes N] (a 3-server cluster)');
  process.exit(2);
}

const natsServer = (() => {
  try {
    return `nats-server ${execFileSync(findNatsServer() ?? 'nats-server', ['--version'], { encoding: 'utf8' }).trim().replace(/^nats-server: /, '')}`;
  } catch {
    return 'nats-server (version unknown)';
  }
})();
const env = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
  memGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  natsServer,
  loadBefore: loadAverage(),
  perProcess,
};
if (env.loadBefore > 1.5) log(`warning: load average is ${env.loadBefore.toFixed(2)}; figures will be noisy (the results record it)`);

const dir = join(repoRoot, 'bench', 'results');
mkdirSync(dir, { recursive: true });
if (scale) {
  const n = Number(value('nodes', '50000'));
  const result = await measureClusterScale({ n, runs: Number(value('runs', '10')), warmup: 2, perProcess, log });
  const report = renderScale(env, result);
  process.stdout.write(`\n${report}`);
  const file = join(dir, `${env.date.slice(0, 10)}-scale-${n}.md`);
  writeFileSync(file, report);
  log(`written to ${file}`);
  process.exit(0);
}

if (flag('checks')) {
  const { benchChecks, renderChecks } = await import('./bench/checks.mjs');
  const result = await benchChecks({ n: Number(value('nodes', '1000')), perNode: Number(value('per-node', '1')), runs: Number(value('runs', '10')), log });
  const report = renderChecks({ ...env, loadBefore: env.loadBefore }, result);
  process.stdout.write(`\n${report}`);
  const file = join(dir, `${env.date.slice(0, 10)}-checks.md`);
  writeFileSync(file, report);
  log(`written to ${file}`);
  process.exit(0);
}

if (flag('checks-node')) {
  const { benchChecksNode, renderChecksNode } = await import('./bench/checks-node.mjs');
  const r = await benchChecksNode({ count: Number(value('count', '20')), interval: Number(value('interval', '60')), observe: Number(value('observe', '180')), log });
  const out = renderChecksNode(r);
  process.stdout.write(`\n${out}`);
  const file = join(dir, `${env.date.slice(0, 10)}-checks-node.md`);
  writeFileSync(file, out);
  log(`written to ${file}`);
  process.exit(0);
}

if (flag('handlers')) {
  const { benchHandlers, renderHandlers } = await import('./bench/handlers.mjs');
  const result = await benchHandlers({ events: Number(value('events', '200')), gapMs: Number(value('gap', '50')), log });
  const report = renderHandlers(env, result);
  process.stdout.write(`\n${report}`);
  const file = join(dir, `${env.date.slice(0, 10)}-handlers.md`);
  writeFileSync(file, report);
  log(`written to ${file}`);
  process.exit(0);
}

if (flag('dns')) {
  const { benchDns, renderDns } = await import('./bench/dns.mjs');
  const concurrencies = value('concurrency', '1,8,32').split(',').map(Number).filter((c) => Number.isInteger(c) && c > 0);
  const result = await benchDns({ n: Number(value('nodes', '10000')), seconds: Number(value('seconds', '5')), concurrencies, changes: Number(value('changes', '20')), log });
  const report = renderDns(env, result);
  process.stdout.write(`\n${report}`);
  const file = join(dir, `${env.date.slice(0, 10)}-dns.md`);
  writeFileSync(file, report);
  log(`written to ${file}`);
  process.exit(0);
}

if (flag('mine')) {
  const { benchMine, renderMine } = await import('./bench/mine.mjs');
  const interval = Number(value('interval', '60'));
  const result = await benchMine({ n: Number(value('nodes', '1000')), intervalS: interval, observeS: Number(value('observe', String(2 * interval))), reads: Number(value('reads', '1000')), getReads: Number(value('get-reads', '100')), log });
  const report = renderMine({ ...env, loadBefore: env.loadBefore }, result);
  process.stdout.write(`\n${report}`);
  const file = join(dir, `${env.date.slice(0, 10)}-mine.md`);
  writeFileSync(file, report);
  log(`written to ${file}`);
  process.exit(0);
}

const results = [];
for (const n of sizes) results.push(await measureSize(n, { runs, warmup, perProcess, log, sequentialSeconds: quick ? 3 : 5 }));
log('idle cohortd RSS ...');
const cohortd = await cohortdIdleRss();
log('node pipeline alone ...');
const pipelineUs = sizes.length ? await pipelineMicros(quick ? 20000 : 100000) : undefined;
let registryVerify;
if (sizes.length) {
  log('verifying signed registry records ...');
  registryVerify = registryVerifyMs(quick ? 1000 : 10000);
}
const real = [];
for (const n of realFleets) real.push(await measureRealFleet(n, { runs: quick ? 5 : 10, idleMs: idleSeconds * 1000, log }));
let startup = [];
if (!flag('no-startup')) {
  log('CLI start-up and small real fleets ...');
  startup = await startupRows(quick ? 5 : 10);
  startup.push(...(await puppetralRows(quick ? 5 : 10, log)));
}

const report = renderReport({ env, sizes: results, startup, cohortd, pipelineUs, registryVerify, runs, warmup, real });
process.stdout.write(`\n${report}`);
const file = join(dir, `${env.date.slice(0, 10)}${quick ? '-quick' : ''}${sizes.length === 0 ? '-real-fleets' : ''}.md`);
writeFileSync(file, report);
log(`written to ${file}`);
