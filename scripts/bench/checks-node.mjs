// The node side of checks (issue 17's target: 20 checks at 60 s on a node cost
// at most 1 % of a core, averaged, the plugins' own CPU excluded). One real
// cohortd with a certified node key on a JetStream nats-server runs `count`
// check_dummy checks at `interval` seconds; its own CPU time (the scheduler's
// runtime of the daemon's threads: what children spend is theirs) is read
// from /proc over `observe` seconds, after the first round of runs, and
// compared with the same daemon without checks.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer } from '../harness.mjs';
import { cpuMs } from './idle.mjs';
import { startDaemons } from './real-fleet.mjs';
import { loadAverage, sleep } from './util.mjs';

const dummy = '/usr/lib/nagios/plugins/check_dummy';

async function daemonCpu(natsUrl, checks, { settleMs, observeMs, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-bench-checks-node-'));
  const fleet = await startDaemons(natsUrl, [{ identity: `bench-${Object.keys(checks).length}`, facts: { role: 'bench' }, classes: [] }], dir, { nodeKeys: true, config: { checks, metrics: { collectors: [] } } });
  try {
    await sleep(settleMs);
    const [pid] = fleet.pids;
    const c0 = cpuMs(pid);
    const t0 = performance.now();
    log(`observing ${Object.keys(checks).length} checks for ${observeMs / 1000} s ...`);
    await sleep(observeMs);
    return ((cpuMs(pid) - c0) / (performance.now() - t0)) * 100;
  } finally {
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** { count, interval, observe, load, withChecks, without, perRunMs } — CPU in % of one core. */
export async function benchChecksNode({ count = 20, interval = 60, observe = 180, log = () => undefined } = {}) {
  if (!existsSync(dummy)) throw new Error(`${dummy} is missing: install monitoring-plugins-basic`);
  const nats = await startNatsServer({ jetstream: true });
  try {
    const checks = {};
    for (let i = 0; i < count; i++) checks[`c${i}`] = { command: [dummy, '0', `check ${i} fine`], interval: `${interval}s`, splay: true, retries: 1 };
    const load = loadAverage();
    // Settle for one interval so every check ran once (splayed) before measuring.
    const settleMs = Math.min(interval, 60) * 1000 + 2000;
    const without = await daemonCpu(nats.url, {}, { settleMs: 5000, observeMs: observe * 1000, log });
    const withChecks = await daemonCpu(nats.url, checks, { settleMs, observeMs: observe * 1000, log });
    const runs = (count * observe) / interval;
    const perRunMs = Math.max(0, ((withChecks - without) / 100) * observe * 1000) / runs;
    return { count, interval, observe, load, withChecks, without, perRunMs };
  } finally {
    await nats.stop();
  }
}

export function renderChecksNode(r) {
  return [
    `## Checks on a node: ${r.count} checks at ${r.interval} s (check_dummy), daemon CPU over ${r.observe} s`,
    '',
    '| daemon | CPU (% of a core) | load |',
    '| --- | --- | --- |',
    `| without checks | ${r.without.toFixed(3)} % | ${r.load} |`,
    `| with ${r.count} checks | ${r.withChecks.toFixed(3)} % | |`,
    '',
    `Per check run (state record signed and stored, events when the state changes, the plugin spawned and waited for): ${r.perRunMs.toFixed(2)} ms of the daemon's CPU.`,
    `Target (issue 17): ${r.count} checks at 60 s <= 1 % of a core: ${r.interval === 60 ? (r.withChecks <= 1 ? 'met' : 'MISSED') : `extrapolated to 60 s: ${(r.without + ((r.withChecks - r.without) * r.interval) / 60).toFixed(3)} % (${r.without + ((r.withChecks - r.without) * r.interval) / 60 <= 1 ? 'met' : 'MISSED'})`}`,
    '',
  ].join('\n');
}
