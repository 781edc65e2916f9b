// Real cohortd processes, run as operators run them (the `cohortd` launcher,
// with cohortd.cjs's V8 flags), each with its own facts, classes and config:
// `cohort rpc rpcutil ping` (its launcher) against them (registry discovery
// and --nodes) next to a bare `node -e 0` start measured in the same run
// (also without NODE_EXTRA_CA_CERTS when it is set: its start-up tax); what each
// daemon costs while idle (RSS, CPU, wake-ups); and what a request costs
// each daemon in CPU (the scheduler's runtime of its threads, from /proc,
// over many requests).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import { cohortdBin, cohortdLauncher, cohortLauncher, startNatsServer, syntheticNodes, waitForRegistry } from '../harness.mjs';
import { scatterGather } from './floor.mjs';
import { cpuMs, idleCost, tickCpuMs } from './idle.mjs';
import { benchIssuer, certifiedNodeKey } from './trust.mjs';
import { anonKb, loadAverage, median, rssKb, shebangFlags, sleep, startReady } from './util.mjs';

/**
 * Wall time of `cmd args` (ms), `runs` times. Exit 1 (some nodes did not
 * answer in time: the run still counts, and is reported) is tallied in
 * `incomplete`; anything else throws.
 */
export function timeRuns(cmd, args, runs, env = {}, tally = { incomplete: 0, detail: '' }) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: { ...process.env, COHORT_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    // With COHORT_TIMING=1 the CLI prints its phases (ms since its process started) to stderr.
    const published = /timing:\s+([\d.]+) ms\s+\([^)]*\)\s+requests published/.exec(r.stderr ?? '');
    if (published && tally.firstRequest) tally.firstRequest.push(Number(published[1]));
    // ... and what it found in, and added to, its signatures file.
    const sigs = /^timing: signatures: (\d+) verified in an earlier run, (\d+) new/m.exec(r.stderr ?? '');
    if (sigs && tally.signatures) tally.signatures.push({ earlier: Number(sigs[1]), fresh: Number(sigs[2]) });
    if (r.status === 1) {
      tally.incomplete++;
      tally.detail ||= `${r.stdout.split('\n').filter((l) => /no response|Finished|Failed/i.test(l)).join('; ')}`;
    } else if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return samples;
}

/**
 * Write one daemon's facts, classes and server.yaml under `dir/<identity>`;
 * returns the config file. Unsigned, like the simulator: these rows measure
 * transport, start-up and footprint, not Ed25519 (`nodeKeys` still gives the
 * node a certified key, so its registry record is signed). `signed`:
 * security.mode signed instead, trusting callers the bench issuer certified
 * (callerSigner() in trust.mjs).
 */
export function writeDaemonConfig(natsUrl, node, dir, { nodeKeys = false, signed = false, config: extra = {} } = {}) {
  const nodeDir = join(dir, node.identity);
  mkdirSync(nodeDir, { recursive: true });
  writeFileSync(join(nodeDir, 'facts.yaml'), yaml.dump(node.facts));
  writeFileSync(join(nodeDir, 'classes.txt'), `${node.classes.join('\n')}\n`);
  const config = {
    identity: node.identity,
    nats: { servers: [natsUrl] },
    facts: [join(nodeDir, 'facts.yaml')],
    classes_file: join(nodeDir, 'classes.txt'),
    logging: { level: 'warn' },
    // signed: only requests signed by a caller key the bench issuer certified are served (callerKey() in trust.mjs).
    security: { mode: signed ? 'signed' : 'unsigned', ...(signed ? { issuers: [benchIssuer().publicFile] } : {}), ...(nodeKeys ? { node_key: certifiedNodeKey(nodeDir, node.identity) } : {}) },
    ...extra,
  };
  const file = join(nodeDir, 'server.yaml');
  writeFileSync(file, yaml.dump(config));
  return file;
}

/**
 * Start one real daemon per node descriptor ({ identity, facts, classes }) on
 * `natsUrl`, as the `cohortd` command (its launcher), and wait until all are registered.
 * `nodeKeys`: give each a node key certified by the bench issuer (trust.mjs),
 * so its registry record is signed and clients trusting that issuer discover
 * it through the registry (its replies are signed too). `config`: more
 * settings for every daemon's server.yaml (e.g. `checks:`).
 * @returns {Promise<{ nodes, pids: number[], stop(): Promise<void> }>}
 */
export async function startDaemons(natsUrl, nodes, dir, { nodeKeys = false, config: extra = {} } = {}) {
  const children = [];
  for (const node of nodes) {
    children.push(spawn(cohortdLauncher, ['--config', writeDaemonConfig(natsUrl, node, dir, { nodeKeys, config: extra })], { stdio: 'ignore' }));
  }
  const exited = () => {
    const gone = children.find((c) => c.exitCode !== null);
    if (gone) throw new Error(`a cohortd exited with ${gone.exitCode} while the fleet started`);
  };
  await waitForRegistry(natsUrl, nodes.map((n) => n.identity), { timeoutMs: 600000, onWait: exited });
  return {
    nodes,
    pids: children.map((c) => c.pid),
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve(undefined);
              const t = setTimeout(() => c.kill('SIGKILL'), 10000);
              c.once('exit', () => {
                clearTimeout(t);
                resolve(undefined);
              });
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The floor under a fleet's idle RSS and CPU-per-request rows: `n` plain
 * nats.js responders, one process each (raw-responder.cjs: no Cohort code,
 * CommonJS, cohortd's V8 flags, each reply signed as a node signs it), in
 * the fleet's place on the same nats-server, measured as the fleet was: RSS
 * after one request and `settleMs`; idle CPU over `idleMs`; then, after as
 * many requests as the daemons had answered (`warmRequests` in all: the
 * code a request runs is compiled by then), `cpuRequests` requests to all at
 * once, `gapMs` apart (the CLI runs' cadence), less the idle CPU.
 * @returns {Promise<{ rssKb: number, anonKb: number, perRequestCpuMs: number }>}
 */
async function measureFloorFleet(natsUrl, n, { warmRequests, cpuRequests, gapMs, settleMs, idleMs }) {
  const responder = fileURLToPath(new URL('./raw-responder.cjs', import.meta.url));
  const args = [...shebangFlags(cohortdBin), responder, '--nats', natsUrl, '--count', '1', '--subject', 'bench.ping', '--sign'];
  const started = [];
  const nc = await connect({ servers: natsUrl, name: 'bench floor client' });
  try {
    // A few at a time, as n node processes starting at once would only measure the scheduler.
    for (let i = 0; i < n; i += 10) started.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => startReady(process.execPath, [...args, '--first', String(i + k)])))));
    const pids = started.map((s) => s.child.pid);
    const ask = async () => {
      const { got } = await scatterGather(nc, n, 10000);
      if (got !== n) throw new Error(`${got} of ${n} floor responders replied`);
    };
    await ask();
    await sleep(settleMs);
    const rss = pids.map(rssKb);
    const anon = pids.map(anonKb);
    const idle = await idleCost(pids, idleMs);
    for (let i = 1; i < warmRequests; i++) await ask();
    const cpu0 = pids.map(cpuMs);
    const t0 = performance.now();
    for (let i = 0; i < cpuRequests; i++) {
      await ask();
      await sleep(gapMs);
    }
    const spentMs = pids.reduce((sum, pid, i) => sum + (cpuMs(pid) - cpu0[i]), 0);
    const idleShareMs = (idle.cpuPctMean / 100) * (performance.now() - t0) * n;
    return { rssKb: mean(rss), anonKb: mean(anon), perRequestCpuMs: Math.max(0, spentMs - idleShareMs) / (cpuRequests * n) };
  } finally {
    await nc.close();
    await Promise.all(started.map((s) => s.stop()));
  }
}

/**
 * One fleet size: { n, load, nodeStart, registry, registryCold, nodesFile, idle, rssKb, anonKb, perRequestCpuMs, floor }.
 * Medians of `runs` CLI runs after one warm-up; idle figures over `idleMs`.
 */
export async function measureRealFleet(n, { runs, idleMs = 60000, cpuRequests = 20, log = () => undefined }) {
  const nats = await startNatsServer({ jetstream: true });
  const dir = mkdtempSync(join(tmpdir(), 'cohort-real-fleet-'));
  let fleet;
  try {
    log(`${n} real cohortd processes: starting ...`);
    // Certified node keys, and the CLI trusting their issuer: without them the CLI cannot verify the
    // registry records and falls back to broadcast, so the "registry" column would time broadcast.
    fleet = await startDaemons(nats.url, syntheticNodes(n), dir, { nodeKeys: true });
    const trust = ['--issuer', benchIssuer().publicFile];
    const list = join(dir, 'nodes.txt');
    writeFileSync(list, `${fleet.nodes.map((x) => x.identity).join('\n')}\n`);
    const env = { COHORT_NATS: nats.url };
    // One run before the idle period: it fills the CLI's signatures file (the run after the idle period finds the
    // certificates there, and the records not rewritten since), and warms the page cache.
    timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', ...trust], 1, env, { incomplete: 0 });
    // Let start-up work (V8's memory reducer, first heartbeats) settle before measuring idleness.
    await sleep(Math.min(idleMs, 15000));
    log(`${n} real cohortd processes: idle for ${idleMs / 1000} s ...`);
    const rss = fleet.pids.map(rssKb);
    const anon = fleet.pids.map(anonKb);
    const idle = await idleCost(fleet.pids, idleMs);
    log(`${n} real cohortd processes: RSS ${(rss.reduce((a, b) => a + b, 0) / n / 1024).toFixed(1)} MB each; idle ${idle.cpuPctMean.toFixed(3)} % CPU, ${idle.wakeupsPerSecMean.toFixed(2)} wake-ups/s each`);
    log(`${n} real cohortd processes: cohort rpc rpcutil ping ...`);
    const load = loadAverage();
    // The first run after the idle period: the node certificates are in the signatures file; the registry records
    // rewritten since (each node re-signs its record every heartbeat, 60 s by default) are checked again.
    const afterIdle = { incomplete: 0, detail: '', signatures: [] };
    const afterIdleMs = timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', ...trust], 1, { ...env, COHORT_TIMING: '1' }, afterIdle)[0];
    const tally = { incomplete: 0, detail: '' };
    const nodeStart = [];
    const nodeStartBare = [];
    const registry = [];
    // The same with the CLI's signatures file off: every node certificate and registry record checked again
    // (what a user's first run does; the other runs find what the warm-up verified, less the records rewritten since).
    const registryCold = [];
    const nodesFile = [];
    // NODE_EXTRA_CA_CERTS makes every node start read that file (the launchers defer it): `node -e 0` with and without it.
    const extraCa = Boolean(process.env.NODE_EXTRA_CA_CERTS);
    // Interleaved, so a change of load during the run touches all alike. The CLI as a user runs it: its launcher.
    for (let i = 0; i < runs; i++) {
      nodeStart.push(...timeRuns(process.execPath, ['-e', '0'], 1));
      if (extraCa) nodeStartBare.push(...timeRuns(process.execPath, ['-e', '0'], 1, { NODE_EXTRA_CA_CERTS: undefined }));
      registry.push(...timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', ...trust], 1, env, tally));
      registryCold.push(...timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', ...trust], 1, { ...env, COHORT_SIGNATURE_CACHE: 'off' }, tally));
      nodesFile.push(...timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', '--nodes', list, ...trust], 1, env, tally));
    }
    // Process start to the first request on the wire, as the CLI itself measures it (COHORT_TIMING=1), in runs of their own.
    const firstRegistry = { incomplete: 0, detail: '', firstRequest: [] };
    const firstNodes = { incomplete: 0, detail: '', firstRequest: [] };
    const firstRegistryCold = { incomplete: 0, detail: '', firstRequest: [] };
    for (let i = 0; i < runs; i++) {
      timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', ...trust], 1, { ...env, COHORT_TIMING: '1' }, firstRegistry);
      timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', ...trust], 1, { ...env, COHORT_TIMING: '1', COHORT_SIGNATURE_CACHE: 'off' }, firstRegistryCold);
      timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', '--nodes', list, ...trust], 1, { ...env, COHORT_TIMING: '1' }, firstNodes);
    }
    // CPU per request per daemon: /proc CPU time of all daemons over `cpuRequests` pings, less their idle CPU.
    // The scheduler's runtime (cpuMs); clock ticks (tickCpuMs, what this row used to read) alongside, for comparison.
    const cpu0 = fleet.pids.map(cpuMs);
    const tick0 = fleet.pids.map(tickCpuMs);
    const t0 = performance.now();
    const cpuRuns = timeRuns(cohortLauncher, ['rpc', 'rpcutil', 'ping', '--nodes', list, ...trust], cpuRequests, env, tally);
    const spentMs = fleet.pids.reduce((sum, pid, i) => sum + (cpuMs(pid) - cpu0[i]), 0);
    const tickSpentMs = fleet.pids.reduce((sum, pid, i) => sum + (tickCpuMs(pid) - tick0[i]), 0);
    const idleShareMs = (idle.cpuPctMean / 100) * (performance.now() - t0) * n;
    const perRequestCpuMs = Math.max(0, spentMs - idleShareMs) / (cpuRequests * n);
    const perRequestTickCpuMs = Math.max(0, tickSpentMs - idleShareMs) / (cpuRequests * n);
    log(`${n} real cohortd processes: CPU per request per daemon ${perRequestCpuMs.toFixed(3)} ms (scheduler runtime; ${perRequestTickCpuMs.toFixed(3)} ms in clock ticks), load ${loadAverage()}`);
    await fleet.stop();
    fleet = undefined;
    log(`${n} plain nats.js responders (the floor) in their place ...`);
    // The daemons answered 2 + 6 × runs CLI runs before their CPU was measured (the warm-up, the run after the idle
    // period, three runs per round for the wall times, three per round for the first requests): so does the floor.
    const floor = await measureFloorFleet(nats.url, n, { warmRequests: 2 + 6 * runs, cpuRequests, gapMs: median(cpuRuns), settleMs: Math.min(idleMs, 15000), idleMs: Math.min(idleMs, 15000) });
    log(`${n} plain nats.js responders: RSS ${(floor.rssKb / 1024).toFixed(1)} MB each; CPU per request ${floor.perRequestCpuMs.toFixed(3)} ms each`);
    return {
      n,
      load,
      nodeStart: median(nodeStart),
      nodeStartBare: extraCa ? median(nodeStartBare) : undefined,
      registry: median(registry),
      registryCold: median(registryCold),
      registryAfterIdle: { ms: afterIdleMs, seconds: (Math.min(idleMs, 15000) + idleMs) / 1000, ...(afterIdle.signatures[0] ?? {}) },
      nodesFile: median(nodesFile),
      firstRequestRegistry: firstRegistry.firstRequest.length ? median(firstRegistry.firstRequest) : undefined,
      firstRequestNodes: firstNodes.firstRequest.length ? median(firstNodes.firstRequest) : undefined,
      firstRequestRegistryCold: firstRegistryCold.firstRequest.length ? median(firstRegistryCold.firstRequest) : undefined,
      rssKb: mean(rss),
      anonKb: mean(anon),
      idle,
      perRequestCpuMs,
      perRequestTickCpuMs,
      floor,
      cpuRequests,
      incomplete: tally.incomplete,
      incompleteDetail: tally.detail,
    };
  } finally {
    await fleet?.stop();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
