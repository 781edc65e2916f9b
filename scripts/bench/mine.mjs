// The mine benchmark (`pnpm bench --mine`): N virtual nodes (cohort-sim) ×
// 3 functions at an interval, each value signed by its node (keys certified
// by a throwaway issuer). Measures:
//   - the spread of bucket writes over time (no thundering herd at start),
//   - `mine get` of all N values: in-process (library) and the CLI's wall time,
//   - change-to-mirror latency: node wrote the value -> its file renamed into
//     place by `cohort mine export` (seen by fs.watch),
//   - datasource read of one host (cohort-mine-cat, a new sh process each time)
//     while the mirror updates: started the way Checkmk starts it (Python,
//     shell=True: checkmk-spawn.mjs), and with Node's spawnSync.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect } from 'nats';
import { generateKeyPair, mineBucket, mineBucketMaxAgeSeconds, SignatureFile, TrustStore, writeKeyPair } from '@cohort/core';
import { connectBus, mine, Registry } from '@cohort/client';
import { cohortBin, cohortLauncher, repoRoot, startNatsServer, waitForRegistry } from '../harness.mjs';
import { simBin, simNodeFlags } from './fleet.mjs';
import { median, sleep, startReady } from './util.mjs';
import { checkmkSpawn, havePython, shq } from './checkmk-spawn.mjs';

const catBin = join(repoRoot, 'packages/cli/bin/cohort-mine-cat');

function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const ms = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 0) : 'n/a');

/**
 * @param {{ n: number, intervalS: number, observeS: number, reads: number, getReads?: number, log: (s: string) => void }} o
 */
export async function benchMine(o) {
  const { n, intervalS, log } = o;
  const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-mine-'));
  const issuer = generateKeyPair();
  const { keyFile: issuerKey, publicFile: issuerPub } = writeKeyPair(join(dir, 'issuer'), issuer);
  const config = join(dir, 'sim.yaml');
  writeFileSync(
    config,
    yaml.dump({
      mine: {
        role: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: `${intervalS}s` },
        pong: { agent: 'rpcutil', action: 'ping', interval: `${intervalS}s` },
        country: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'country' }, interval: `${intervalS}s` },
      },
    }),
  );
  const nats = await startNatsServer({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  // The bucket as the nodes create it, watched from before the first write.
  const kv = await nc.jetstream().views.kv(mineBucket('cohort'), { history: 1, ttl: mineBucketMaxAgeSeconds * 1000 });
  const writes = [];
  const watcher = await kv.watch({ include: 'updates' });
  void (async () => {
    for await (const e of watcher) if (e.operation === 'PUT') writes.push(Date.now());
  })();

  // The mirror, running before the nodes start: every change lands in it.
  const mirrorDir = join(dir, 'mirror');
  const env = { ...process.env, COHORT_NATS: nats.url, COHORT_CONFIG: '', COHORT_KEY: '' };
  const exporter = spawn(process.execPath, [cohortBin, 'mine', 'export', 'role', '--dir', mirrorDir, '--issuer', issuerPub, '--connect-timeout', '30'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let exportLog = '';
  exporter.stderr.on('data', (d) => (exportLog += d));
  while (!/mirroring role/.test(exportLog)) {
    if (exporter.exitCode !== null) throw new Error(`cohort mine export exited: ${exportLog}`);
    await sleep(100);
  }
  const latencies = [];
  // Counted only while this process's event loop is free: the CLI runs and the spawnSync reads below block it,
  // and a change seen late because of that would be the bench's delay, not the mirror's.
  let countLatency = true;
  const dirWatch = watch(mirrorDir, (_event, name) => {
    if (!countLatency || !name || name.startsWith('.')) return;
    const seen = Date.now();
    try {
      // cohort-mine/1 <state> <time_s> <stale_at_s> <statuscode> <time_ms> ...
      const header = readFileSync(join(mirrorDir, name), 'utf8').split('\n', 1)[0].split(' ');
      if (header[1] === 'fresh') latencies.push(seen - Number(header[5]));
    } catch {
      // replaced again meanwhile
    }
  });

  log(`mine: starting ${n} virtual nodes × 3 functions every ${intervalS} s ...`);
  const started = Date.now();
  const sim = await startReady(process.execPath, [...simNodeFlags, simBin, '--config', config, '--log-level', 'error', '--nats', nats.url, '--count', String(n), '--interval', '600', '--ttl', '1800'], {
    env: { ...process.env, COHORT_SIM_MINE_ISSUER_KEY: issuerKey },
  });
  const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
  await waitForRegistry(nats.url, ids, { timeoutMs: 300000 });
  log(`mine: nodes ready after ${Math.round((Date.now() - started) / 1000)} s; observing writes for ${o.observeS} s ...`);
  const observeFrom = Date.now();
  await sleep(o.observeS * 1000);
  const perSecond = new Array(o.observeS).fill(0);
  for (const t of writes) {
    const s = Math.floor((t - observeFrom) / 1000);
    if (s >= 0 && s < o.observeS) perSecond[s]++;
  }
  const expected = (3 * n) / intervalS;
  const mean = perSecond.reduce((a, b) => a + b, 0) / perSecond.length;
  const sd = Math.sqrt(perSecond.reduce((a, b) => a + (b - mean) ** 2, 0) / perSecond.length);
  // From the very first write (nodes starting): the first interval must not bunch up either.
  const startSeconds = new Array(intervalS).fill(0);
  const first = writes[0] ?? started;
  for (const t of writes) {
    const s = Math.floor((t - first) / 1000);
    if (s < intervalS) startSeconds[s]++;
  }

  log('mine: mine get of every value ...');
  const loadTrust = () => TrustStore.load({ kind: 'node', issuers: [issuerPub] });
  const bus = await connectBus({ servers: [nats.url] });
  // As `cohort mine get` does it: the registry is read (and verified) only when the filter is evaluated on it.
  // The client's one-request read of the bucket (bus.mineKv.latest), or, for comparison, nats.js's watch as the
  // client read it until 7 December (session 9): the same opener without `latest`.
  const watchOpen = (name, create, ttl) => bus.mineKv(name, create, ttl);
  const getOnce = async (filter, trust, open = bus.mineKv) => {
    const withRegistry = mine.mineNeedsRegistry(filter);
    const [read, registry] = await Promise.all([mine.readMine(open, 'cohort', 'role', trust), withRegistry ? Registry.open(bus, 'cohort', trust) : undefined]);
    const targets = mine.mineTargets(filter, registry?.nodes() ?? [], read.readings.keys());
    const result = mine.mineRows('role', targets, read.readings, Date.now());
    await registry?.close();
    return result;
  };
  const noFilter = { fact: [], cf_class: [], agent: [], identity: [], compound: [] };
  // A filter evaluated on the registry: every node's registry record read and verified too.
  const registryFilter = { ...noFilter, identity: ['/^sim-/'] };
  const timed = async (filter, trust) => {
    const t0 = performance.now();
    const result = await getOnce(filter, trust);
    return { ms: performance.now() - t0, result };
  };
  // Two readers, read in turn (same load): a one-shot reader (`cohort mine get`: every signature checked on every
  // read; certificates checked once per process) and a long-lived one (web console, mirror: TrustStore.rememberSignatures,
  // so a value read before costs a hash; values that changed meanwhile are checked). The first read of each process
  // (every node certificate and every signature checked) is timed apart: no number hides it.
  const oneShot = loadTrust();
  const longLived = loadTrust().rememberSignatures();
  const cold = await timed(noFilter, oneShot);
  const coldRemember = await timed(noFilter, longLived);
  const memo = longLived.signatures;
  const getMs = [];
  const warmMs = [];
  const filteredMs = [];
  let matched = cold.result.stats.matched;
  let fresh = cold.result.stats.fresh;
  let warmMatched = 0;
  let filteredMatched = 0;
  const before = { checks: memo.checks, hits: memo.hits };
  // A reader as a new `cohort mine get` process is one: a new trust store (no certificate cached in memory) reading
  // through the CLI's signatures file (what earlier runs verified; SignatureFile), saved at the end; timed from
  // opening the file to saving it. Its first read (an empty file) is timed apart.
  const sigFile = join(dir, 'xdg-cache', 'cohort', 'verified-signatures');
  const fileRead = async (open = bus.mineKv) => {
    const t0 = performance.now();
    const file = SignatureFile.open(sigFile);
    const trust = loadTrust().rememberSignatures(undefined, file);
    const result = await getOnce(noFilter, trust, open);
    file.save();
    return { ms: performance.now() - t0, result, checks: trust.signatures.checks, hits: trust.signatures.hits };
  };
  const coldFile = await fileRead();
  const fileMs = [];
  const fileWatchMs = [];
  let fileChecks = 0;
  let fileHits = 0;
  const getReads = o.getReads ?? 100;
  for (let i = 0; i < getReads; i++) {
    // The two ways of reading the bucket take turns being first.
    const viaWatch = i % 2 ? await fileRead(watchOpen) : undefined;
    const c = await fileRead();
    fileMs.push(c.ms);
    fileWatchMs.push((viaWatch ?? (await fileRead(watchOpen))).ms);
    fileChecks += c.checks;
    fileHits += c.hits;
    const a = await timed(noFilter, oneShot);
    getMs.push(a.ms);
    matched = a.result.stats.matched;
    fresh = a.result.stats.fresh;
    const w = await timed(noFilter, longLived);
    warmMs.push(w.ms);
    warmMatched = w.result.stats.matched;
    const f = await timed(registryFilter, oneShot);
    filteredMs.push(f.ms);
    filteredMatched = f.result.stats.matched;
  }
  const warmChecks = memo.checks - before.checks;
  const warmHits = memo.hits - before.hits;
  await bus.close();
  countLatency = false;
  // The CLI itself, a new process each time, its signatures file in a cache directory of its own: the first run
  // (nothing verified before), then runs with the file, interleaved with runs with it turned off.
  const cliEnv = { ...env, XDG_CACHE_HOME: join(dir, 'xdg-cli') };
  const cliRun = (extra = {}) => {
    const t0 = performance.now();
    const r = spawnSync(cohortLauncher, ['mine', 'get', 'role', '--json', '--issuer', issuerPub, '--connect-timeout', '30'], { env: { ...cliEnv, ...extra }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) log(`mine: cohort mine get exited ${r.status}: ${r.stderr.slice(0, 300)}`);
    return performance.now() - t0;
  };
  const cliFirst = cliRun();
  const cliMs = [];
  const cliOffMs = [];
  for (let i = 0; i < 5; i++) {
    cliMs.push(cliRun());
    cliOffMs.push(cliRun({ COHORT_SIGNATURE_CACHE: 'off' }));
  }

  log(`mine: ${o.reads} datasource reads while the mirror updates ...`);
  // Each read is followed by `/bin/sh -c true` and `/bin/true` spawned the same way (same load): a shell's start is
  // the floor for a shell-script datasource.
  const readMs = [];
  const shMs = [];
  const trueMs = [];
  let readFailures = 0;
  for (let i = 0; i < o.reads; i++) {
    const id = ids[Math.floor(Math.random() * ids.length)];
    let t0 = performance.now();
    const r = spawnSync(catBin, ['--dir', mirrorDir, id], { encoding: 'utf8' });
    readMs.push(performance.now() - t0);
    if (r.status !== 0) readFailures++;
    t0 = performance.now();
    spawnSync('/bin/sh', ['-c', 'true'], { encoding: 'utf8' });
    shMs.push(performance.now() - t0);
    t0 = performance.now();
    spawnSync('/bin/true', [], { encoding: 'utf8' });
    trueMs.push(performance.now() - t0);
  }
  // The same reads as Checkmk's fetcher makes them (it is Python: subprocess with shell=True), with each read's CPU.
  let checkmk;
  if (havePython()) {
    // Each round in a fresh random order, so load hits the reads and the floor alike.
    const rounds = Array.from({ length: o.reads }, () => {
      const id = ids[Math.floor(Math.random() * ids.length)];
      const row = [
        ['cat', `${shq(catBin)} --dir ${shq(mirrorDir)} ${shq(id)}`, null],
        ['sourced', `set -- --dir ${shq(mirrorDir)} ${shq(id)}; . ${shq(catBin)}`, null],
        ['true', '/bin/true', null],
      ];
      return Math.random() < 0.5 ? row : row.reverse();
    });
    const r = await checkmkSpawn(rounds);
    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const stats = (x) => ({ p50: median(x.wall_ms), p90: percentile(x.wall_ms, 90), p99: percentile(x.wall_ms, 99), cpuP50: median(x.cpu_ms), cpuP99: percentile(x.cpu_ms, 99), cpu: mean(x.cpu_ms), failures: x.failed });
    checkmk = { ...stats(r.cat), sourced: stats(r.sourced), true: stats(r.true) };
  }

  dirWatch.close();
  watcher.stop();
  exporter.kill('SIGTERM');
  await sim.stop();
  await nc.close();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    n,
    loadAfter: loadavg()[0],
    intervalS,
    observeS: o.observeS,
    writes: { expected, mean, sd, max: Math.max(...perSecond), min: Math.min(...perSecond), startMax: Math.max(...startSeconds), startMean: startSeconds.reduce((a, b) => a + b, 0) / intervalS },
    get: {
      matched,
      fresh,
      coldMs: cold.ms,
      coldRememberMs: coldRemember.ms,
      p50: median(getMs),
      p99: percentile(getMs, 99),
      warmMatched,
      warmP50: median(warmMs),
      warmP99: percentile(warmMs, 99),
      warmChecks,
      warmHits,
      filteredMatched,
      filteredP50: median(filteredMs),
      filteredP99: percentile(filteredMs, 99),
      cli: median(cliMs),
      cliFirst,
      cliOff: median(cliOffMs),
      coldFileMs: coldFile.ms,
      fileP50: median(fileMs),
      fileP99: percentile(fileMs, 99),
      fileWatchP50: median(fileWatchMs),
      fileWatchP99: percentile(fileWatchMs, 99),
      getReads,
      fileChecks,
      fileHits,
    },
    mirror: { count: latencies.length, p50: median(latencies), p99: percentile(latencies, 99), max: Math.max(...latencies) },
    read: { count: readMs.length, failures: readFailures, p50: median(readMs), p99: percentile(readMs, 99), shP50: median(shMs), shP99: percentile(shMs, 99), trueP50: median(trueMs), trueP99: percentile(trueMs, 99), checkmk },
  };
}

/** The result as a markdown section. */
export function renderMine(env, r) {
  return [
    `# Mine benchmark, ${env.date}`,
    '',
    `${env.cpus} × ${env.cpuModel}, ${env.memGb} GiB, Node ${env.node}, ${env.natsServer}; load average before: ${env.loadBefore.toFixed(2)}, after: ${r.loadAfter.toFixed(2)}.`,
    `${r.n} virtual nodes (cohort-sim) × 3 functions every ${r.intervalS} s, every value signed by its node and verified by every reader.`,
    '',
    '| measurement | result | target |',
    '|---|---|---|',
    `| bucket writes per second over ${r.observeS} s (expected ${r.writes.expected.toFixed(0)}) | mean ${r.writes.mean.toFixed(1)}, sd ${r.writes.sd.toFixed(1)}, min ${r.writes.min}, max ${r.writes.max} | even spread |`,
    `| writes per second in the first interval after start | mean ${r.writes.startMean.toFixed(1)}, max ${r.writes.startMax} | no thundering herd |`,
    `| mine get of all ${r.get.matched} values, in-process, one-shot reader (as \`cohort mine get\`: every signature checked every read; certificates cached; no filter, so no registry), ${r.get.getReads} reads | p50 ${ms(r.get.p50)} ms, p99 ${ms(r.get.p99)} ms (${r.get.fresh} fresh) | ≤ 150 ms |`,
    `| the same, long-lived reader (web console, mirror: verified signatures remembered), ${r.get.getReads} reads between the one-shot reads; ${r.get.warmChecks} values checked (changed meanwhile), ${r.get.warmHits} remembered | p50 ${ms(r.get.warmP50)} ms, p99 ${ms(r.get.warmP99)} ms (${r.get.warmMatched} matched) | ≤ 150 ms |`,
    `| first read of a process, cold (every node certificate and signature checked): one-shot reader; long-lived reader | ${ms(r.get.coldMs)} ms; ${ms(r.get.coldRememberMs)} ms | |`,
    `| mine get with a filter evaluated on the registry (-I /^sim-/: ${r.get.filteredMatched} matched; + registry read and verified), one-shot reader, ${r.get.getReads} reads | p50 ${ms(r.get.filteredP50)} ms, p99 ${ms(r.get.filteredP99)} ms | |`,
    `| mine get of all ${r.get.matched} values, in-process, as a new \`cohort mine get\` process reads them: a new trust store each read, through the CLI's signatures file (what earlier reads verified), ${r.get.getReads} reads; ${r.get.fileChecks} signatures checked (values rewritten since the previous read), ${r.get.fileHits} found in the file | p50 ${ms(r.get.fileP50)} ms, p99 ${ms(r.get.fileP99)} ms; the first read (empty file) ${ms(r.get.coldFileMs)} ms | ≤ 150 ms |`,
    `| the same, the bucket read as before 7 December (session 9: nats.js's kv.watch, after binding the bucket and asking its status), in turn with the reads above | p50 ${ms(r.get.fileWatchP50)} ms, p99 ${ms(r.get.fileWatchP99)} ms | |`,
    `| \`cohort mine get role --json\` wall time (a new process each, through its launcher): the first run; then 5 runs with its signatures file, interleaved with 5 with \`COHORT_SIGNATURE_CACHE=off\` | first ${ms(r.get.cliFirst)} ms; median ${ms(r.get.cli)} ms; off: median ${ms(r.get.cliOff)} ms | |`,
    `| change to mirror: node wrote the value → file in place (${r.mirror.count} changes, seen while this process's event loop was free: not during its spawnSync runs) | p50 ${ms(r.mirror.p50)} ms, p99 ${ms(r.mirror.p99)} ms, max ${ms(r.mirror.max)} ms | ≤ 1 s |`,
    ...(r.read.checkmk
      ? [
          `| datasource read of one host as Checkmk starts it (Python \`subprocess.Popen(cmdline, shell=True)\`: a shell, then cohort-mine-cat, then cat; ${r.read.count} reads, ${r.read.checkmk.failures} failed) | p50 ${ms(r.read.checkmk.p50)} ms, p90 ${ms(r.read.checkmk.p90)} ms, p99 ${ms(r.read.checkmk.p99)} ms; CPU p50 ${ms(r.read.checkmk.cpuP50)} ms, p99 ${ms(r.read.checkmk.cpuP99)} ms, mean ${ms(r.read.checkmk.cpu)} ms | ≤ 5 ms p99 |`,
          `| the same, sourced by the rule's shell (\`set -- ARGS; . cohort-mine-cat\`: a shell, then cat; ${r.read.checkmk.sourced.failures} failed) | p50 ${ms(r.read.checkmk.sourced.p50)} ms, p90 ${ms(r.read.checkmk.sourced.p90)} ms, p99 ${ms(r.read.checkmk.sourced.p99)} ms; CPU p50 ${ms(r.read.checkmk.sourced.cpuP50)} ms, p99 ${ms(r.read.checkmk.sourced.cpuP99)} ms, mean ${ms(r.read.checkmk.sourced.cpu)} ms | ≤ 5 ms p99 |`,
          `| for scale, any program started that way: \`/bin/true\`, in each round with the reads (random order) | p50 ${ms(r.read.checkmk.true.p50)} ms, p90 ${ms(r.read.checkmk.true.p90)} ms, p99 ${ms(r.read.checkmk.true.p99)} ms; CPU p50 ${ms(r.read.checkmk.true.cpuP50)} ms, p99 ${ms(r.read.checkmk.true.cpuP99)} ms, mean ${ms(r.read.checkmk.true.cpu)} ms | |`,
        ]
      : []),
    `| datasource read of one host, started by Node's spawnSync (cohort-mine-cat, ${r.read.count} reads, ${r.read.failures} failed) | p50 ${ms(r.read.p50)} ms, p99 ${ms(r.read.p99)} ms | |`,
    `| for scale, spawned the same way after each read: \`/bin/sh -c true\`; \`/bin/true\` | p50 ${ms(r.read.shP50)} ms, p99 ${ms(r.read.shP99)} ms; p50 ${ms(r.read.trueP50)} ms, p99 ${ms(r.read.trueP99)} ms | |`,
    '',
  ].join('\n');
}
