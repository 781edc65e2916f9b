// Start cohort-sim with N virtual nodes and wait until every node answers and
// is in the registry.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, TrustStore, writeKeyPair } from '@cohort/core';
import { repoRoot, waitForRegistry } from '../harness.mjs';
import { rssKb, startReady } from './util.mjs';

export const simBin = join(repoRoot, 'packages/server/bin/cohort-sim.js');
/** The node flags of cohort-sim's shebang (its bin is run with process.execPath here); the floor's responders get the same. */
export const simNodeFlags = ['--max-semi-space-size=32'];

/** @type {{ keyFile: string, publicFile: string } | undefined} */
let issuer;
/**
 * The benchmark's throwaway issuer: the simulator certifies its node keys
 * with it (registry records are signed), clients trust it (they verify them).
 */
export function benchIssuer() {
  issuer ??= writeKeyPair(join(mkdtempSync(join(tmpdir(), 'cohort-bench-issuer-')), 'issuer'), generateKeyPair());
  return issuer;
}

/** Trusted node keys for bench clients: the bench issuer. */
export function benchNodeTrust() {
  return TrustStore.load({ kind: 'node', issuers: [benchIssuer().publicFile] });
}

/**
 * @returns {Promise<{ pids: number[], readyMs: number, rssKb(): number, stop(): Promise<void> }>}
 */
export async function startSim(natsUrl, n, perProcess) {
  // Long heartbeat so re-registrations do not land inside the measurements.
  const sim = await startReady(process.execPath, [...simNodeFlags, simBin, '--log-level', 'error', '--nats', natsUrl, '--count', String(n), '--per-process', String(perProcess), '--interval', '600', '--ttl', '1800', '--issuer-key', benchIssuer().keyFile]);
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
