// Start cohort-sim with N virtual nodes and wait until every node answers and
// is in the registry. Its node keys are certified by the bench issuer (trust.mjs).
import { join } from 'node:path';
import { repoRoot, waitForRegistry } from '../harness.mjs';
import { benchIssuer } from './trust.mjs';
import { rssKb, startReady } from './util.mjs';

export const simBin = join(repoRoot, 'packages/server/bin/cohort-sim.js');
/** The node flags of cohort-sim's shebang (its bin is run with process.execPath here); the floor's responders get the same. */
export const simNodeFlags = ['--max-semi-space-size=32'];

/**
 * `extraArgs`: more cohort-sim flags, e.g. ['--services'] for simulated services and addresses in the records.
 * `dir`: run another checkout's cohort-sim; `nodeFlags`: more node flags (e.g. --cpu-prof), passed on to its child processes.
 * @returns {Promise<{ pids: number[], readyMs: number, rssKb(): number, stop(): Promise<void> }>}
 */
export async function startSim(natsUrl, n, perProcess, extraArgs = [], { dir, nodeFlags = [] } = {}) {
  const bin = dir ? join(dir, 'packages/server/bin/cohort-sim.js') : simBin;
  // Long heartbeat so re-registrations do not land inside the measurements.
  const sim = await startReady(process.execPath, [...simNodeFlags, ...nodeFlags, bin, '--log-level', 'error', '--nats', natsUrl, '--count', String(n), '--per-process', String(perProcess), '--interval', '600', '--ttl', '1800', '--issuer-key', benchIssuer().keyFile, ...extraArgs]);
  const [, , ms, pidsField] = sim.line.split(' ');
  const pids = (pidsField ?? '').replace('pids=', '').split(',').map(Number).filter(Boolean);
  const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
  await waitForRegistry(natsUrl, ids, { timeoutMs: 120000 });
  return {
    pids,
    readyMs: Number(ms),
    rssKb: () => pids.reduce((sum, pid) => sum + rssKb(pid), 0),
    stop: () => sim.stop(),
  };
}
