#!/usr/bin/env node
// Soak: a private nats-server, one real cohortd, cohort-sim with hundreds of
// virtual nodes, and this process as the client sending a steady request rate
// (rpcutil ping to every node, registry discovery) for --minutes. Registry
// records are signed: the simulator's node keys and the cohortd's are
// certified by a throwaway issuer the client trusts (bench/trust.mjs). Every
// --interval seconds it samples RSS and event-loop lag of the cohortd and of
// the simulator (rpcutil daemon_stats) and of itself, and prints a table.
// Exits 1 when replies were lost or memory/lag grows without bound; 2 on bad usage.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from '@cohort/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer } from './harness.mjs';
import { startDaemons } from './bench/real-fleet.mjs';
import { startSim } from './bench/fleet.mjs';
import { benchNodeTrust, removeBenchIssuer } from './bench/trust.mjs';
import { loadAverage, median, sleep } from './bench/util.mjs';

const usage = `usage: pnpm soak [--minutes N] [--nodes N] [--rate R] [--interval S]
  --minutes   length of the run (default 60; fractions allowed)
  --nodes     virtual nodes in cohort-sim (default 300), besides one real cohortd
  --rate      requests per second, each to every node (default 5)
  --interval  seconds between samples (default 30)
  --slope     cohortd's RSS growth allowed over the second half, MiB per minute (default 0.05:
              a daemon meant to run for months; an hour-long run measured -0.02)
              Shorter runs end inside V8's warm-up, whose heap steps of up to ~0.7 MiB show
              as slope: a 10-minute run needs about --slope 0.25 (docs/operations.md)
  --others-slope  the same for cohort-sim and the client (default 2)`;

/** Parse and check the flags; throws a usage message naming the flag. */
function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: { minutes: { type: 'string', default: '60' }, nodes: { type: 'string', default: '300' }, rate: { type: 'string', default: '5' }, interval: { type: 'string', default: '30' }, slope: { type: 'string', default: '0.05' }, 'others-slope': { type: 'string', default: '2' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return undefined;
  const num = (name, min) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number of at least ${min} (got '${values[name]}')`);
    return v;
  };
  const nodes = num('nodes', 1);
  if (!Number.isInteger(nodes)) throw new Error(`--nodes must be a whole number (got ${nodes})`);
  return { minutes: num('minutes', 0.05), nodes, rate: num('rate', 0.1), interval: num('interval', 1), slopeMiBPerMin: num('slope', 0), othersSlopeMiBPerMin: num('others-slope', 0) };
}

const MiB = 1024 * 1024;
const mib = (bytes) => (bytes / MiB).toFixed(1);

/** Least-squares slope of y over x. */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Judge one process's series of samples ({ t (s), rss (bytes), p99 (ms) }).
 * RSS grows without bound when the final value is over twice the
 * post-warm-up one, or when the linear fit over the second half of the run
 * rises faster than the allowed slope (judged with at least 6 samples there).
 * Lag grows when the p99 of the last quarter is over 5x that of the first
 * half and above 100 ms. Returns the problems found (none = fine).
 */
export function judge(name, samples, slopeMiBPerMin) {
  const problems = [];
  if (samples.length < 2) return { problems: [`${name}: fewer than 2 samples`], slopeMiBPerMin: NaN };
  const warm = samples[Math.min(samples.length - 1, Math.max(1, Math.floor(samples.length / 5)))];
  const last = samples[samples.length - 1];
  const half = samples.slice(Math.floor(samples.length / 2));
  const fit = (slope(half.map((s) => s.t), half.map((s) => s.rss)) * 60) / MiB;
  if (last.rss > 2 * warm.rss) problems.push(`${name}: RSS ${mib(last.rss)} MiB at the end, over twice the ${mib(warm.rss)} MiB after warm-up`);
  if (half.length >= 6 && fit > slopeMiBPerMin) problems.push(`${name}: RSS rises ${fit.toFixed(2)} MiB/min over the second half (allowed ${slopeMiBPerMin})`);
  const early = median(samples.slice(0, Math.ceil(samples.length / 2)).map((s) => s.p99));
  const late = median(samples.slice(Math.floor((samples.length * 3) / 4)).map((s) => s.p99));
  if (late > 100 && late > 5 * early) problems.push(`${name}: event-loop lag p99 ${late} ms late in the run, over 5x the ${early} ms of the first half`);
  return { problems, slopeMiBPerMin: fit };
}

/** rpcutil daemon_stats of the given nodes: identity -> { rss, heap, p99, max, pid }. */
async function nodeStats(client, identities) {
  const out = new Map();
  const call = client.rpc({ agent: 'rpcutil', action: 'daemon_stats', nodes: identities, timeout: 10 });
  for await (const r of call) {
    const lag = r.data.event_loop_lag_ms ?? {};
    out.set(r.sender, { rss: Number(r.data.rss), heap: Number(r.data.heap_used), p99: Number(lag.p99), max: Number(lag.max), pid: r.data.pid });
  }
  return out;
}

/** Send `rate` requests per second until `endAt`; counts requests, replies and lost replies. */
function drive(client, rate, endAt, signal) {
  const counts = { sent: 0, done: 0, replies: 0, lost: 0, failed: 0, errors: [] };
  const inFlight = new Set();
  const one = async () => {
    counts.sent++;
    try {
      const stats = await client.rpc({ agent: 'rpcutil', action: 'ping', discoveryMethod: 'registry' }).stats();
      counts.replies += stats.responded;
      counts.lost += stats.no_response.length;
      counts.failed += stats.failed;
    } catch (err) {
      counts.lost++;
      if (counts.errors.length < 5) counts.errors.push(String(err));
    }
    counts.done++;
  };
  const period = 1000 / rate;
  const t0 = performance.now();
  const done = (async () => {
    for (let i = 0; performance.now() < endAt && !signal.aborted; i++) {
      const p = one();
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      await sleep(Math.max(0, t0 + (i + 1) * period - performance.now()));
    }
    await Promise.all([...inFlight]);
  })();
  return { counts, done };
}

const row = (cells) => `| ${cells.join(' | ')} |`;

async function main(signal) {
  let opts;
  try {
    opts = options(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`soak: ${err.message}\n${usage}\n`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cleanups = [];
  try {
    const nats = await startNatsServer({ jetstream: true });
    cleanups.push(() => nats.stop());
    // The real node runs as operators run it: the cohortd executable, with its shebang's V8 flags.
    const dir = mkdtempSync(join(tmpdir(), 'cohort-soak-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(async () => removeBenchIssuer());
    const fleet = await startDaemons(nats.url, [{ identity: 'soak-node', facts: { role: 'soak' }, classes: ['soak'] }], dir, { nodeKeys: true });
    cleanups.push(() => fleet.stop());
    process.stdout.write(`soak: cohortd pid ${fleet.pids[0]}\n`);
    const sim = await startSim(nats.url, opts.nodes, opts.nodes);
    cleanups.push(() => sim.stop());
    const client = await Client.connect({ servers: nats.url, callerid: 'user=soak', discoveryMethod: 'registry', nodeTrust: benchNodeTrust() });
    cleanups.push(() => client.close());
    const expected = opts.nodes + 1;
    process.stdout.write(`soak: ${expected} nodes (1 cohortd + ${opts.nodes} virtual), ${opts.rate} req/s to all of them, ${opts.minutes} min, a sample every ${opts.interval} s\n\n`);
    process.stdout.write(`${row(['t (s)', 'load1', 'requests', 'replies', 'lost', 'cohortd RSS MiB', 'cohortd heap MiB', 'cohortd lag p99/max ms', 'sim RSS MiB', 'sim lag p99/max ms', 'client RSS MiB', 'client lag p99/max ms'])}\n`);
    process.stdout.write(`${row(Array(12).fill('---'))}\n`);

    const started = performance.now();
    const endAt = started + opts.minutes * 60_000;
    const traffic = drive(client, opts.rate, endAt, signal);
    const series = { cohortd: [], sim: [], client: [] };
    for (let next = started + opts.interval * 1000; next <= endAt + 1; next += opts.interval * 1000) {
      await sleep(Math.max(0, next - performance.now()));
      if (signal.aborted) break;
      const t = Math.round((performance.now() - started) / 1000);
      const stats = await nodeStats(client, ['soak-node', 'sim-00001']);
      const own = { rss: process.memoryUsage().rss, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 };
      lag.reset();
      const node = stats.get('soak-node');
      const virtual = stats.get('sim-00001');
      const cell = (s) => (s ? [mib(s.rss), `${s.p99.toFixed(1)}/${s.max.toFixed(1)}`] : ['no reply', '-']);
      if (node) series.cohortd.push({ t, ...node });
      if (virtual) series.sim.push({ t, ...virtual });
      series.client.push({ t, ...own });
      const c = traffic.counts;
      const [nodeRss, nodeLag] = cell(node);
      process.stdout.write(`${row([t, loadAverage().toFixed(2), c.done, c.replies, c.lost, nodeRss, node ? mib(node.heap) : '-', nodeLag, ...cell(virtual), ...cell(own)])}\n`);
    }
    await traffic.done;
    const c = traffic.counts;
    const problems = [];
    if (c.lost > 0) problems.push(`${c.lost} replies lost over ${c.done} requests${c.errors.length ? ` (${c.errors.join('; ')})` : ''}`);
    if (c.failed > 0) problems.push(`${c.failed} replies were not OK`);
    if (c.replies !== c.done * expected - c.lost) problems.push(`${c.replies} replies to ${c.done} requests to ${expected} nodes do not add up`);
    const slopes = [];
    for (const [name, s] of Object.entries(series)) {
      const verdict = judge(name, s, name === 'cohortd' ? opts.slopeMiBPerMin : opts.othersSlopeMiBPerMin);
      problems.push(...verdict.problems);
      slopes.push(`${name} ${verdict.slopeMiBPerMin.toFixed(2)}`);
    }
    process.stdout.write(`\nrequests ${c.done}, replies ${c.replies}, lost ${c.lost}; RSS slope over the second half (MiB/min): ${slopes.join(', ')}\n`);
    if (problems.length) {
      process.stdout.write(`soak: FAIL\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write('soak: PASS\n');
    return 0;
  } catch (err) {
    process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    lag.disable();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const abort = new AbortController();
  for (const s of ['SIGINT', 'SIGTERM']) {
    process.once(s, () => {
      process.stderr.write(`soak: ${s}; stopping after the current sample\n`);
      abort.abort();
    });
  }
  process.exitCode = await main(abort.signal);
}
