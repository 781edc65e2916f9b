#!/usr/bin/env node
// What one reply costs the client library in CPU: a private nats-server,
// cohort-sim with --nodes virtual nodes (signed replies, registry), and one
// client process per build given with --client (default: this tree) running
// `client.rpc({ agent: 'rpcutil', action: 'ping' })` with registry discovery
// in rounds of --calls calls. The builds take turns (A, B, A, B...), so load
// from other processes touches them alike. Measured in the client process
// with process.cpuUsage() (user + system) around each round, not wall time:
// the machine may be shared. The table: µs of client CPU per reply and ms per
// call, median of rounds (min-max); nats-server's and the simulator's CPU per
// reply (from /proc) during the same rounds beside them.
//
//   node scripts/bench/client-cpu.mjs [--client DIR --client DIR2] [--nodes 1000] [--rounds 8] [--calls 20] [--per-process 2500] [--cpu-prof DIR]
//
// --client DIR: a checkout (or a copy of one) whose packages/client and
// packages/core are built; its packages/client/dist/index.js is loaded.
// --cpu-prof DIR: run the (first) client under `node --cpu-prof` (written at exit).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connectBuild, serveLines, startWorkers, stopWorkers, wholeNumber } from './client-workers.mjs';

const { values } = parseArgs({
  options: {
    worker: { type: 'string' },
    nats: { type: 'string' },
    issuer: { type: 'string' },
    client: { type: 'string', multiple: true },
    nodes: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '8' },
    calls: { type: 'string', default: '20' },
    'per-process': { type: 'string', default: '2500' },
    'cpu-prof': { type: 'string' },
  },
});

/** A flag's value as a whole number of at least `min`; throws naming the flag. */
const num = (name, min) => wholeNumber(values, name, min);

if (values.worker !== undefined) await worker(values.worker);
else await main();

/**
 * A client process: connects with the build in `dir` ('' = this tree), then
 * answers every `run K` line on stdin with one JSON line after K calls.
 */
async function worker(dir) {
  const client = await connectBuild(dir, values.nats, values.issuer);
  const ping = async () => {
    const call = client.rpc({ agent: 'rpcutil', action: 'ping', discoveryMethod: 'registry' });
    let replies = 0;
    for await (const _ of call) replies++;
    const stats = await call.stats();
    return { replies, responded: stats.responded, discovered: stats.discovered };
  };
  await serveLines(async (line) => {
    const m = /^run (\d+)$/.exec(line);
    if (!m) return undefined;
    const calls = Number(m[1]);
    let replies = 0;
    let lost = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      const r = await ping();
      replies += r.replies;
      lost += r.discovered - r.responded;
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { calls, replies, lost, cpuUs: cpu.user + cpu.system, sysUs: cpu.system, wallMs };
  });
  await client.close();
}

async function main() {
  const { startNatsServer } = await import('../harness.mjs');
  const { startSim } = await import('./fleet.mjs');
  const { cpuMs } = await import('./idle.mjs');
  const { benchIssuer, removeBenchIssuer } = await import('./trust.mjs');
  const { loadAverage, median, sleep } = await import('./util.mjs');
  const nodes = num('nodes', 1);
  const rounds = num('rounds', 1);
  const calls = num('calls', 1);
  const perProcess = num('per-process', 1);
  const dirs = (values.client ?? ['']).map((d) => (d ? resolve(d) : ''));
  const self = new URL(import.meta.url).pathname;

  const load0 = loadAverage();
  const nats = await startNatsServer({ jetstream: true });
  let sim;
  let workers = [];
  try {
    sim = await startSim(nats.url, nodes, perProcess);
    workers = await startWorkers(self, dirs, () => ['--nats', nats.url, '--issuer', benchIssuer().publicFile], (i) =>
      values['cpu-prof'] && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`] : [],
    );
    const run = (w, k) => w.ask(`run ${k}`);
    // Warm-up: every client, a few calls (JIT, registry watch, connections).
    for (const w of workers) await run(w, Math.max(5, Math.ceil(calls / 2)));
    const others = [nats.process.pid, ...sim.pids];
    for (let round = 0; round < rounds; round++) {
      // Rotate who goes first each round.
      for (let j = 0; j < workers.length; j++) {
        const w = workers[(round + j) % workers.length];
        const before = others.map(cpuMs);
        const r = await run(w, calls);
        const after = others.map(cpuMs);
        const natsMs = after[0] - before[0];
        const simMs = after.slice(1).reduce((s, v, i) => s + v - before[i + 1], 0);
        w.rows.push({ ...r, natsMs, simMs });
        await sleep(50);
      }
    }
    const load1 = loadAverage();
    const fmt = (xs, digits) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
    console.log(`client CPU per reply: ${nodes} virtual nodes, ${rounds} rounds of ${calls} calls per client, builds interleaved; load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after`);
    console.log('| client | µs CPU per reply | ms CPU per call | nats-server µs per reply | cohort-sim µs per reply | wall ms per call | lost |');
    console.log('|---|---|---|---|---|---|---|');
    for (const w of workers) {
      const per = (f) => w.rows.map((r) => f(r));
      console.log(
        `| ${w.dir} | ${fmt(per((r) => r.cpuUs / r.replies), 1)} | ${fmt(per((r) => r.cpuUs / 1000 / r.calls), 2)} | ${fmt(per((r) => (r.natsMs * 1000) / r.replies), 1)} | ${fmt(per((r) => (r.simMs * 1000) / r.replies), 1)} | ${fmt(per((r) => r.wallMs / r.calls), 1)} | ${w.rows.reduce((s, r) => s + r.lost, 0)} |`,
      );
    }
  } finally {
    await stopWorkers(workers);
    await sim?.stop();
    await nats.stop();
    removeBenchIssuer();
  }
}
