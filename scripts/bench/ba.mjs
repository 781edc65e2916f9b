#!/usr/bin/env node
// b/a at one fleet size, the floor and the library side by side: a private
// nats-server with the floor's raw responders AND cohort-sim (registered,
// certified) connected at the same time, so each client process can take
// turns between (a) a raw nats.js scatter-gather and (b) `rpcutil ping`
// through the library with registry discovery, in blocks of --calls calls,
// the order alternating per round. Load from other processes then touches a
// and b alike; b/a is computed per round (median of b over median of a) and
// over all rounds. Beside the wall times, the CPU each party spent per reply
// (from /proc, scheduler runtime of all threads): the client, nats-server,
// the floor's responders (during a) and the simulator (during b), which a
// shared machine inflates far less than wall time.
//
//   node scripts/bench/ba.mjs [--nodes 1000] [--rounds 6] [--calls 10] [--per-process 2500]
//       [--client DIR ...] [--sim DIR] [--direct] [--prof DIR]
//
// --client DIR: a checkout (or copy) with built packages/client and
//   packages/core, loaded by one client process each; they take turns.
// --sim DIR: run that checkout's cohort-sim (default: this tree's).
// --direct: a third kind of call, the floor with direct addressing: N raw
//   publishes of 400 bytes, one to each responder's own subject, as the
//   library sends one request per node (the floor (a) is one publish).
// As in `pnpm bench`, requests and replies are unsigned: cohort-sim runs its
// nodes without security settings (no request verification, no reply
// signatures); only the registry records are signed (and verified by the
// client when it reads them, not per call).
// --prof DIR: cpu profiles of the simulator processes and the first client.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connectBuild, serveLines, startWorkers, stopWorkers, wholeNumber } from './client-workers.mjs';

const { values } = parseArgs({
  options: {
    worker: { type: 'string' },
    nats: { type: 'string' },
    issuer: { type: 'string' },
    client: { type: 'string', multiple: true },
    sim: { type: 'string' },
    nodes: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '6' },
    calls: { type: 'string', default: '10' },
    'per-process': { type: 'string', default: '2500' },
    direct: { type: 'boolean', default: false },
    prof: { type: 'string' },
  },
});

const num = (name, min) => wholeNumber(values, name, min);

if (values.worker !== undefined) await worker(values.worker);
else await main();

/**
 * A client process with the build in `dir` ('' = this tree): answers
 * `floor K` and `lib K` lines on stdin with one JSON line after K calls
 * (wall ms of each call, CPU of the whole block, replies, lost).
 */
async function worker(dir) {
  const { connect } = await import('nats');
  const { directScatterGather, scatterGather } = await import('./floor.mjs');
  const n = Number(values.nodes);
  const client = await connectBuild(dir, values.nats, values.issuer);
  const raw = await connect({ servers: values.nats, name: 'bench floor client' });
  const calls = {
    async floor() {
      const r = await scatterGather(raw, n);
      return { ms: r.ms, got: r.got, expected: n };
    },
    async direct() {
      const r = await directScatterGather(raw, n, 400);
      return { ms: r.ms, got: r.got, expected: n };
    },
    async lib() {
      const t0 = performance.now();
      const call = client.rpc({ agent: 'rpcutil', action: 'ping', discoveryMethod: 'registry' });
      let got = 0;
      for await (const _ of call) got++;
      const stats = await call.stats();
      const ms = performance.now() - t0;
      return { ms, got, expected: stats.discovered === n ? n : Math.max(n, stats.discovered) };
    },
  };
  await serveLines(async (line) => {
    const m = /^(floor|direct|lib) (\d+)$/.exec(line);
    if (!m) return undefined;
    const [, kind, k] = m;
    const ms = [];
    let replies = 0;
    let lost = 0;
    let cpuUs = 0;
    for (let i = 0; i < Number(k); i++) {
      const cpu0 = process.cpuUsage();
      const r = await calls[kind]();
      const cpu = process.cpuUsage(cpu0);
      cpuUs += cpu.user + cpu.system;
      ms.push(r.ms);
      replies += r.got;
      lost += r.expected - r.got;
      await new Promise((res) => setTimeout(res, 20));
    }
    return { kind, ms, replies, lost, cpuUs };
  });
  await client.close();
  await raw.close();
}

async function main() {
  const { startNatsServer } = await import('../harness.mjs');
  const { startSim } = await import('./fleet.mjs');
  const { startRawResponders } = await import('./floor.mjs');
  const { cpuMs } = await import('./idle.mjs');
  const { benchIssuer, removeBenchIssuer } = await import('./trust.mjs');
  const { loadAverage, median, sleep } = await import('./util.mjs');
  const n = num('nodes', 1);
  const rounds = num('rounds', 1);
  const calls = num('calls', 1);
  const perProcess = num('per-process', 1);
  const dirs = (values.client ?? ['']).map((d) => (d ? resolve(d) : ''));
  const prof = values.prof ? resolve(values.prof) : undefined;
  if (prof) mkdirSync(prof, { recursive: true });
  const self = new URL(import.meta.url).pathname;
  const log = (s) => process.stderr.write(`[ba] ${s}\n`);

  const load0 = loadAverage();
  const nats = await startNatsServer({ jetstream: true });
  let raw;
  let sim;
  let workers = [];
  try {
    log(`load ${load0.toFixed(2)}; ${n} raw responders ...`);
    raw = await startRawResponders(nats.url, n, perProcess, values.direct ? ['--direct'] : []);
    log(`${n} virtual nodes ...`);
    sim = await startSim(nats.url, n, perProcess, [], {
      dir: values.sim ? resolve(values.sim) : undefined,
      nodeFlags: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    });
    workers = await startWorkers(self, dirs, () => ['--nats', nats.url, '--issuer', benchIssuer().publicFile, '--nodes', String(n)], (i) =>
      prof && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
    );
    const run = (w, kind, k) => w.ask(`${kind} ${k}`);
    const natsPid = nats.process.pid;
    const simPids = sim.pids;
    const rawPids = raw.pids;
    const sum = (pids) => pids.reduce((s, pid) => s + cpuMs(pid), 0);
    const block = async (w, kind, k) => {
      const before = [cpuMs(natsPid), sum(rawPids), sum(simPids)];
      const r = await run(w, kind, k);
      const after = [cpuMs(natsPid), sum(rawPids), sum(simPids)];
      return { ...r, natsMs: after[0] - before[0], rawMs: after[1] - before[1], simMs: after[2] - before[2] };
    };
    const kinds = values.direct ? ['floor', 'direct', 'lib'] : ['floor', 'lib'];
    log('warm-up ...');
    for (const w of workers) for (const kind of kinds) await run(w, kind, kind === 'lib' ? 5 : 3);
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < workers.length; j++) {
        const w = workers[(round + j) % workers.length];
        const load = loadAverage();
        const order = round % 2 ? [...kinds].reverse() : kinds;
        const got = { load };
        for (const kind of order) got[kind] = await block(w, kind, calls);
        const a = median(got.floor.ms);
        const b = median(got.lib.ms);
        w.rows.push(got);
        log(`round ${round + 1} ${w.dir}: load ${load.toFixed(2)}, a ${a.toFixed(1)} ms, b ${b.toFixed(1)} ms, b/a ${(b / a).toFixed(2)}${got.direct ? `, direct floor ${median(got.direct.ms).toFixed(1)} ms` : ''}; sim ${((got.lib.simMs * 1000) / got.lib.replies).toFixed(1)} µs/reply, client ${(got.lib.cpuUs / got.lib.replies).toFixed(1)} µs/reply`);
        await sleep(50);
      }
    }
    const load1 = loadAverage();
    const fmt = (xs, digits) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
    console.log(`b/a at ${n} nodes: ${rounds} rounds of ${calls} calls of each kind per client, in turns; load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after; medians over rounds (min-max)`);
    console.log('');
    console.log('| client | b/a | load |');
    console.log('|---|---|---|');
    for (const w of workers) console.log(`| ${w.dir} | ${fmt(w.rows.map((r) => median(r.lib.ms) / median(r.floor.ms)), 2)} | ${fmt(w.rows.map((r) => r.load), 2)} |`);
    console.log('');
    console.log('| client | call | wall ms | client µs CPU / reply | responders µs / reply | nats-server µs / reply | lost |');
    console.log('|---|---|---|---|---|---|---|');
    const label = { floor: '(a) floor: one publish, N replies', direct: 'floor, direct: N publishes of 400 B', lib: '(b) library, registry discovery' };
    for (const w of workers) {
      for (const kind of kinds) {
        const rows = w.rows.map((r) => r[kind]);
        const side = (r) => (kind === 'lib' ? r.simMs : r.rawMs);
        console.log(
          `| ${w.dir} | ${label[kind]} | ${fmt(rows.map((r) => median(r.ms)), 1)} | ${fmt(rows.map((r) => r.cpuUs / r.replies), 1)} | ${fmt(rows.map((r) => (side(r) * 1000) / r.replies), 1)} | ${fmt(rows.map((r) => (r.natsMs * 1000) / r.replies), 1)} | ${rows.reduce((s, r) => s + r.lost, 0)} |`,
        );
      }
    }
  } finally {
    await stopWorkers(workers);
    await sim?.stop();
    await raw?.stop();
    await nats.stop();
    removeBenchIssuer();
  }
}
