// The checks benchmark (`pnpm bench --checks`): N simulated nodes' check
// states (each signed by its own node key, certified by a throwaway issuer)
// written into a private nats-server's checks bucket, then `cohort checks`
// timed over all of them:
//   - in-process (library): read the bucket + verify every record + rows/stats,
//   - the CLI as a user runs it (`cohort checks --json`, a new process, wall time),
//   - check_cohort_nrpe --cached over the same states (new process, wall time),
//   - for scale: `node -e 0` started the same way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { checkKey, checksBucket, createSigner, generateKeyPair, issueCertificate, publicKeyHex, sealDataBytes, TrustStore, writeKeyPair } from '@cohort/core';
import { checks, connectBus } from '@cohort/client';
import { cohortBin, repoRoot, startNatsServer } from '../harness.mjs';
import { median } from './util.mjs';

const checkBin = join(repoRoot, 'packages/nagios/bin/check_cohort_nrpe.js');

function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const ms = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 0) : 'n/a');

/** A node's state record as the node side writes it (contract: packages/core/src/checks/types.ts). */
function record(identity, check, i, now) {
  const state = i % 50 === 0 ? 'critical' : i % 20 === 0 ? 'warning' : 'ok';
  const time = now - (i % 60) * 1000;
  return {
    identity,
    check,
    kind: 'nagios',
    state,
    hard: true,
    attempt: state === 'ok' ? 0 : 3,
    retries: 3,
    output: `${check.toUpperCase()} ${state.toUpperCase()} - load average: 0.${i % 100}, 0.20, 0.10`,
    perfdata: [
      { label: 'load1', value: (i % 100) / 100, warn: '4', crit: '8', min: 0 },
      { label: 'load5', value: 0.2, warn: '3', crit: '6', min: 0 },
      { label: 'load15', value: 0.1, warn: '2', crit: '4', min: 0 },
    ],
    since: now - 3_600_000,
    last_run: time,
    interval: 60,
    history: Array.from({ length: 15 }, (_, k) => ({ state, output: `${check.toUpperCase()} ${state.toUpperCase()} - load average: 0.${i % 100}`, perfdata: [{ label: 'load1', value: 0.1, warn: '4', crit: '8' }], time: time - k * 60_000, duration_ms: 12, exit_code: state === 'ok' ? 0 : state === 'warning' ? 1 : 2 })),
    source: 'config',
    sequence: 1,
  };
}

/**
 * @param {{ n: number, perNode: number, runs: number, log: (s: string) => void }} o
 */
export async function benchChecks(o) {
  const { n, perNode, log } = o;
  const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-checks-'));
  const issuer = generateKeyPair();
  const { publicFile: issuerPub } = writeKeyPair(join(dir, 'issuer'), issuer);
  const nats = await startNatsServer({ jetstream: true });
  const nc = await connect({ servers: nats.url });
  const kv = await nc.jetstream().views.kv(checksBucket('cohort'), { history: 1 });
  const names = ['load', 'disk', 'swap', 'procs', 'ntp', 'mem', 'users', 'zombies'].slice(0, perNode);
  log(`checks: writing ${n} nodes × ${perNode} signed state record(s) ...`);
  const now = Date.now();
  const writes = [];
  for (let i = 0; i < n; i++) {
    const identity = `sim-${String(i + 1).padStart(5, '0')}`;
    const pair = generateKeyPair();
    const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey), expiresAt: now + 86_400_000 });
    const signer = createSigner(pair.privateKey, identity, cert);
    for (const check of names) writes.push(kv.put(checkKey(check, identity), sealDataBytes('check-state', record(identity, check, i, now), signer)));
    if (writes.length >= 500) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  const status = await kv.status();
  log(`checks: ${status.values} record(s) stored, ${(status.size / 1024 / 1024).toFixed(1)} MiB`);

  const trust = TrustStore.load({ kind: 'node', issuers: [issuerPub] });
  const bus = await connectBus({ servers: [nats.url] });
  const libMs = [];
  const libCpuMs = [];
  const verifyCpuMs = [];
  let stats;
  for (let i = 0; i < o.runs + 2; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const read = await checks.readCheckStates(bus.mineKv, 'cohort', trust);
    const result = checks.checkRows(read.records, {}, Date.now(), read.refused.length);
    const c = process.cpuUsage(c0);
    if (i >= 2) {
      libMs.push(performance.now() - t0);
      libCpuMs.push((c.user + c.system) / 1000);
    }
    stats = result.stats;
  }
  // The signature checks alone, with a fresh trust store (as a new process has: every node's certificate checked too).
  const raw = [];
  const kvRead = await bus.mineKv(checksBucket('cohort'), false);
  await kvRead.watch('>', (e) => e.value && raw.push([e.key, e.value]), false);
  for (let i = 0; i < Math.min(5, o.runs); i++) {
    const fresh = TrustStore.load({ kind: 'node', issuers: [issuerPub] });
    const c0 = process.cpuUsage();
    for (const [key, value] of raw) checks.verifyCheckEntry(key, value, fresh, Date.now());
    const c = process.cpuUsage(c0);
    verifyCpuMs.push((c.user + c.system) / 1000);
  }
  await bus.close();

  const env = { ...process.env, COHORT_NATS: nats.url, COHORT_CONFIG: '', COHORT_KEY: '', NO_COLOR: '1' };
  const timed = (args, bin = cohortBin) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return { ms: performance.now() - t0, r };
  };
  const cliMs = [];
  let cliTotal;
  for (let i = 0; i < o.runs; i++) {
    const { ms: t, r } = timed(['checks', '--json', '--issuer', issuerPub, '--connect-timeout', '30']);
    cliMs.push(t);
    if (r.status !== 1 && r.status !== 0) log(`checks: cohort checks exited ${r.status}: ${r.stderr.slice(0, 300)}`);
    else cliTotal = JSON.parse(r.stdout).stats.total;
  }
  const cachedMs = [];
  for (let i = 0; i < o.runs; i++) {
    const { ms: t, r } = timed(['--nats', nats.url, '--cached', '--issuer', issuerPub, 'load'], checkBin);
    cachedMs.push(t);
    if (i === 0) log(`checks: check_cohort_nrpe --cached: ${r.stdout.split('\n')[0]}`);
  }
  const nodeMs = [];
  for (let i = 0; i < o.runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    nodeMs.push(performance.now() - t0);
  }
  await nc.close();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
  return { n, perNode, records: status.values, stats, cliTotal, lib: { p50: median(libMs), p99: percentile(libMs, 99), cpu: median(libCpuMs) }, verifyFreshCpu: median(verifyCpuMs), cli: median(cliMs), cliMin: Math.min(...cliMs), cached: median(cachedMs), node: median(nodeMs) };
}

/** The result as a markdown section. */
export function renderChecks(env, r) {
  return [
    `# Checks benchmark, ${env.date}`,
    '',
    `${env.cpus} × ${env.cpuModel}, ${env.memGb} GiB, Node ${env.node}, ${env.natsServer}; load average before: ${env.loadBefore.toFixed(2)}.`,
    `${r.n} simulated nodes × ${r.perNode} check(s): ${r.records} state records, each signed by its own node key (certified by an issuer) and verified by every reader; 15 results of history per record.`,
    '',
    '| measurement | result | target |',
    '|---|---|---|',
    `| \`cohort checks\` in-process: read the bucket + verify ${r.records} records + rows and stats | p50 ${ms(r.lib.p50)} ms wall, p99 ${ms(r.lib.p99)} ms; CPU ${ms(r.lib.cpu)} ms (${r.stats.total} rows: ${r.stats.ok} ok, ${r.stats.warning} warning, ${r.stats.critical} critical) | ≤ 150 ms |`,
    `| verifying ${r.records} records with a fresh trust store (a new process: each node's certificate checked too), CPU | median ${ms(r.verifyFreshCpu)} ms | |`,
    `| \`cohort checks --json\` wall time (new process, ${r.cliTotal} rows) | median ${ms(r.cli)} ms, best ${ms(r.cliMin)} ms | |`,
    `| \`check_cohort_nrpe --cached load\` wall time (new process) | median ${ms(r.cached)} ms | |`,
    `| for scale: \`node -e 0\` started the same way | median ${ms(r.node)} ms | |`,
    '',
  ].join('\n');
}
