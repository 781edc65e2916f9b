// The original small benchmark rows: CLI start-up, and `cohort rpc rpcutil
// ping` against 10 and 50 real cohortd processes (registry, broadcast window,
// --nodes file); plus the idle RSS of one real cohortd.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, cohortLauncher, cohortdLauncher, startFleet, syntheticNodes, waitForRegistry } from '../harness.mjs';
import { anonKb, median, rssKb, sleep } from './util.mjs';

/** Wall times of `cohort ARGS` run as a user runs it: the installed command, bin/cohort (the launcher). */
function timeCommand(args, runs, env = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cohortLauncher, args, { env: { ...process.env, COHORT_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`cohort ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    samples.push(ms);
  }
  return samples;
}

/** Rows: { name, samples, target? } */
export async function startupRows(runs) {
  const rows = [];
  rows.push({ name: 'cohort --version', samples: timeCommand(['--version'], runs), target: 150 });
  rows.push({ name: 'cohort --help', samples: timeCommand(['--help'], runs), target: 200 });
  for (const count of [10, 50]) {
    const nats = await startNatsServer({ jetstream: true });
    const nodes = syntheticNodes(count);
    // The fleet runs unsigned (its default), like the simulator: these rows measure transport and pipeline, not Ed25519.
    const fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes, pluginDirs: [], readyTimeoutMs: 120000, registry: true });
    const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-'));
    try {
      const env = { COHORT_NATS: nats.url, ...fleet.clientEnv };
      timeCommand(['rpc', 'rpcutil', 'ping'], 1, env); // warm the page cache
      rows.push({ name: `rpc rpcutil ping, ${count} nodes (registry discovery)`, samples: timeCommand(['rpc', 'rpcutil', 'ping'], runs, env), target: 300 });
      rows.push({ name: `rpc rpcutil ping, ${count} nodes (--dm broadcast)`, samples: timeCommand(['rpc', 'rpcutil', 'ping', '--dm', 'broadcast'], runs, env) });
      rows.push({ name: `rpc rpcutil ping, ${count} nodes (--dm broadcast --discovery-window 100)`, samples: timeCommand(['rpc', 'rpcutil', 'ping', '--dm', 'broadcast', '--discovery-window', '100'], runs, env) });
      const list = join(dir, 'nodes.txt');
      writeFileSync(list, nodes.map((n) => n.identity).join('\n') + '\n');
      rows.push({ name: `rpc rpcutil ping, ${count} nodes (--nodes file)`, samples: timeCommand(['rpc', 'rpcutil', 'ping', '--nodes', list], runs, env) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await fleet.stop();
      await nats.stop();
    }
  }
  return rows.map((r) => ({ ...r, median: median(r.samples) }));
}

/**
 * Idle memory of one real cohortd, run as operators run it (the `cohortd`
 * launcher, with cohortd.cjs's V8 flags) with the default settings plus the NATS
 * URL, registered, `settleMs` after start: { rssKb, anonKb } (anon: private,
 * not counting the node binary's shared pages).
 */
export async function cohortdIdleRss(settleMs = 5000) {
  const nats = await startNatsServer({ jetstream: true });
  const dir = mkdtempSync(join(tmpdir(), 'cohort-rss-'));
  const config = join(dir, 'server.yaml');
  writeFileSync(config, `identity: rss-probe\nnats: { servers: [${nats.url}] }\nlogging: { level: error }\n`);
  const child = spawn(cohortdLauncher, ['--config', config], { stdio: 'ignore' });
  try {
    await waitForRegistry(nats.url, ['rss-probe'], { timeoutMs: 30000 });
    await sleep(settleMs);
    return { rssKb: rssKb(child.pid), anonKb: anonKb(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
    await nats.stop();
  }
}
