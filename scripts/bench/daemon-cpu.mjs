#!/usr/bin/env node
// What one request costs a real cohortd in CPU, for comparing builds of the
// daemon side by side: one private nats-server, `--per` daemons of each
// executable given (default: this tree's bin/cohortd.cjs), and this process
// sending `rpcutil ping` to all of them (--nodes style: straight to each
// node's subject) in rounds. The executables take turns being first in each
// round's list of targets (rotated every round); CPU (the scheduler's
// runtime of all its threads, idle.mjs's cpuMs) is read per daemon before
// and after each round, less its idle CPU measured first. Load from other processes touches all executables alike.
// The table: ms of CPU per request per daemon, median of rounds (min-max),
// and minor page faults and context switches per request (idle ones included).
//
//   node scripts/bench/daemon-cpu.mjs [--bin A --bin B] [--per 3] [--rounds 6] [--requests 200 | --round-seconds S] [--gap MS[,MS...]] [--no-warmup] [--signed]
//
// --signed: the daemons run in signed mode (security.mode: signed, trusting
// the bench issuer) and the client signs every request with a caller key
// that issuer certified (its certificate travels with each request), so each
// request's signature and certificate are checked too; default: unsigned
// requests, as the real-fleet rows send them (replies are signed either way).
//
// --gap: pause between requests (a CLI run is ~300 ms apart; caches go cold
// in between); a list (--gap 0,100,300,1000) takes turns round by round
// (`--rounds` of each, interleaved, so a change of load touches every gap
// alike) and gives a row per executable and gap; --round-seconds: send
// requests for this long per round instead of a fixed number; --no-warmup:
// count round 0 (otherwise a warm-up) too, as a young daemon's;
// --idle/--settle: seconds of idle measurement, and of waiting before it
// (start-up GCs).
//
// --floor: also start `--per` plain nats.js responders (raw-responder.cjs,
// with this tree's cohortd shebang V8 flags, no Cohort code) and as many that
// sign each reply with Ed25519, asked a plain NATS request with every call:
// their rows are the floor under a daemon's CPU per request.
//
// --profile DIR: run the (first) executable's daemons under `node --cpu-prof`
// with the V8 flags of its shebang instead (the profile is written at exit).
// --node-flags='FLAGS': the same, with these node flags (e.g. --trace-gc).
// --perf FILE: run the first executable's first daemon with --perf-basic-prof
// and record its on-CPU samples with `perf record -e cpu-clock -g` over the
// measured rounds (`perf report -i FILE`); the CPU figures then include perf's cost.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Client } from '@cohort/client';
import { connect, createInbox } from 'nats';
import { cohortdBin, startNatsServer, syntheticNodes, waitForRegistry } from '../harness.mjs';
import { contextSwitches, cpuMs, minorFaults } from './idle.mjs';
import { writeDaemonConfig } from './real-fleet.mjs';
import { benchNodeTrust, callerSigner, removeBenchIssuer } from './trust.mjs';
import { loadAverage, median, rssKb, shebangFlags, sleep } from './util.mjs';

const { values } = parseArgs({
  options: {
    bin: { type: 'string', multiple: true },
    per: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '6' },
    requests: { type: 'string', default: '200' },
    idle: { type: 'string', default: '10' },
    gap: { type: 'string', default: '0' },
    'round-seconds': { type: 'string' },
    settle: { type: 'string', default: '30' },
    'no-warmup': { type: 'boolean' },
    floor: { type: 'boolean' },
    profile: { type: 'string' },
    perf: { type: 'string' },
    'node-flags': { type: 'string' },
    signed: { type: 'boolean' },
  },
});
const bins = (values.bin ?? [cohortdBin]).map((b) => resolve(b));
/** A flag's value as a number of at least `min`; throws naming the flag. */
const num = (name, min) => {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number of at least ${min} (got '${values[name]}')`);
  return v;
};
const per = num('per', 1);
const rounds = num('rounds', 1);
const requests = num('requests', 1);
const idleS = num('idle', 1);
const gaps = values.gap.split(',').map((g) => {
  const v = Number(g);
  if (g.trim() === '' || !Number.isFinite(v) || v < 0) throw new Error(`--gap must be milliseconds of at least 0, or a comma-separated list of them (got '${values.gap}')`);
  return v;
});
const roundMs = values['round-seconds'] === undefined ? undefined : num('round-seconds', 0.1) * 1000;
const settleS = num('settle', 0);


const nats = await startNatsServer({ jetstream: true });
const dir = mkdtempSync(join(tmpdir(), 'cohort-daemon-cpu-'));
const children = [];
try {
  const daemons = [];
  const nodes = syntheticNodes(bins.length * per);
  nodes.forEach((node, i) => {
    const b = i % bins.length;
    const args = ['--config', writeDaemonConfig(nats.url, node, dir, { nodeKeys: true, signed: values.signed })];
    const extra = values['node-flags'] && b === 0 ? values['node-flags'].split(' ') : values.profile && b === 0 ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`] : values.perf && i === 0 ? ['--perf-basic-prof', '--interpreted-frames-native-stack'] : undefined;
    // cwd: V8 logs of --perf-basic-prof land in the run's temp dir.
    const child = extra ? spawn(process.execPath, [...shebangFlags(bins[b]), ...extra, bins[b], ...args], { stdio: 'inherit', cwd: dir }) : spawn(bins[b], args, { stdio: 'inherit', cwd: dir });
    children.push(child);
    daemons.push({ identity: node.identity, bin: b, pid: child.pid });
  });
  await waitForRegistry(nats.url, nodes.map((n) => n.identity), { timeoutMs: 120000 });
  // The floor: plain nats.js responders (and signing ones), rows after the executables'.
  const labels = [...bins, ...(values.floor ? ['nats.js responder (floor)', 'nats.js responder + Ed25519 signature (floor)'] : [])];
  const responders = [];
  for (let i = 0; values.floor && i < per; i++) {
    for (const [k, extra] of [[bins.length, []], [bins.length + 1, ['--sign']]]) {
      const child = spawn(process.execPath, [...shebangFlags(cohortdBin), fileURLToPath(new URL('./raw-responder.cjs', import.meta.url)), '--nats', nats.url, '--count', '1', '--subject', 'bench.floor', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await new Promise((ready, failed) => {
        child.stdout.once('data', ready);
        child.once('exit', (code) => failed(new Error(`raw-responder.cjs exited with ${code}`)));
      });
      responders.push({ bin: k, pid: child.pid });
    }
  }
  const raw = values.floor ? await connect({ servers: nats.url }) : undefined;
  const encoder = new TextEncoder();
  /** One plain request to every floor responder; resolves when all replied. */
  const askFloor = () =>
    new Promise((done, failed) => {
      const inbox = createInbox();
      let replies = 0;
      const timer = setTimeout(() => failed(new Error(`${replies} of ${responders.length} floor responders replied`)), 10000);
      const sub = raw.subscribe(inbox, {
        callback: () => {
          if (++replies < responders.length) return;
          clearTimeout(timer);
          sub.unsubscribe();
          done();
        },
      });
      raw.publish('bench.floor', encoder.encode('{"protocol":"cohort:request:1","agent":"rpcutil","action":"ping"}'), { reply: inbox });
    });
  const measured = [...daemons, ...responders];
  // Let start-up work settle (V8's memory reducer runs a few GCs in the first ~40 s) before measuring idleness.
  await sleep(settleS * 1000);
  const cpuIdle0 = measured.map((d) => cpuMs(d.pid));
  const tIdle0 = performance.now();
  await sleep(idleS * 1000);
  const idleMsPerMs = measured.map((d, i) => (cpuMs(d.pid) - cpuIdle0[i]) / (performance.now() - tIdle0));

  const client = await Client.connect({ servers: nats.url, nodeTrust: benchNodeTrust(), ...(values.signed ? { signer: callerSigner('user=bench') } : { callerid: 'user=bench' }) });
  // Per executable, per gap: one figure per round.
  const perRequest = labels.map(() => gaps.map(() => []));
  const faults = labels.map(() => gaps.map(() => []));
  const switches = labels.map(() => gaps.map(() => []));
  const loads = [loadAverage()];
  let perf;
  try {
    const warmup = values['no-warmup'] ? 0 : 1;
    for (let r = 0; r < rounds * gaps.length + warmup; r++) {
      const g = (r - warmup + gaps.length) % gaps.length;
      const gapMs = gaps[g];
      // Rotate which executable's daemons come first in the target list.
      const order = daemons.map((_, i) => daemons[(i + r * per) % daemons.length].identity);
      const cpu0 = measured.map((d) => cpuMs(d.pid));
      const faults0 = measured.map((d) => minorFaults(d.pid));
      const switches0 = measured.map((d) => contextSwitches(d.pid));
      const t0 = performance.now();
      let sent = 0;
      while (roundMs === undefined ? sent < requests : sent === 0 || performance.now() - t0 < roundMs) {
        sent++;
        const stats = await client.rpc({ agent: 'rpcutil', action: 'ping', nodes: order, timeout: 10 }).stats();
        if (stats.responded !== daemons.length) throw new Error(`round ${r}: ${stats.responded} of ${daemons.length} replied`);
        if (raw) await askFloor();
        if (gapMs > 0) await sleep(gapMs);
      }
      const elapsed = performance.now() - t0;
      if (r < warmup) {
        if (values.perf) perf = spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '2000', '-g', '-p', String(daemons[0].pid), '-o', resolve(values.perf)], { stdio: 'inherit' });
        continue; // warm-up
      }
      for (let b = 0; b < labels.length; b++) {
        const mine = measured.map((d, i) => ({ d, i })).filter(({ d }) => d.bin === b);
        const spent = mine.reduce((s, { d, i }) => s + (cpuMs(d.pid) - cpu0[i] - idleMsPerMs[i] * elapsed), 0);
        perRequest[b][g].push(spent / (sent * mine.length));
        faults[b][g].push(mine.reduce((s, { d, i }) => s + minorFaults(d.pid) - faults0[i], 0) / (sent * mine.length));
        switches[b][g].push(mine.reduce((s, { d, i }) => s + contextSwitches(d.pid) - switches0[i], 0) / (sent * mine.length));
      }
      loads.push(loadAverage());
      console.error(`round ${r} (gap ${gapMs} ms, ${sent} requests): ${labels.map((_, b) => perRequest[b][g].at(-1).toFixed(3)).join(' / ')} ms per request per daemon (load ${loads.at(-1)})`);
    }
  } finally {
    if (perf) {
      const exited = new Promise((done) => perf.once('exit', done));
      perf.kill('SIGINT');
      await exited;
    }
    await client.close();
    await raw?.close();
  }
  const rss = labels.map((_, b) => median(measured.filter((d) => d.bin === b).map((d) => rssKb(d.pid) / 1024)));
  const size = roundMs === undefined ? `${requests} pings` : `${roundMs / 1000} s of pings`;
  console.log(`load average ${Math.min(...loads)}-${Math.max(...loads)}; ${rounds} rounds${gaps.length > 1 ? ' per gap' : ''} of ${size} to ${daemons.length} daemons${values.signed ? ' (signed requests, signed mode)' : ''}`);
  console.log('| executable | gap | CPU per request per daemon, median of rounds (min-max) | page faults / request | context switches / request | RSS after |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  labels.forEach((bin, b) => {
    gaps.forEach((gapMs, g) => {
      const xs = perRequest[b][g];
      console.log(`| ${bin} | ${gapMs} ms | ${median(xs).toFixed(3)} ms (${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}) | ${median(faults[b][g]).toFixed(1)} | ${median(switches[b][g]).toFixed(1)} | ${rss[b].toFixed(1)} MB |`);
    });
  });
} finally {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          c.once('exit', done);
          c.kill('SIGTERM');
        }),
    ),
  );
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
  removeBenchIssuer();
}
