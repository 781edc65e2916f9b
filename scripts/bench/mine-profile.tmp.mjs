// throwaway: 1000 sim nodes with mine, then time cohort mine get phases
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { generateKeyPair, writeKeyPair } from '@cohort/core';
import { cohortLauncher, startNatsServer, waitForRegistry } from '../harness.mjs';
import { simBin, simNodeFlags } from './fleet.mjs';
import { sleep, startReady } from './util.mjs';
const n = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'mp-'));
const { keyFile: issuerKey, publicFile: issuerPub } = writeKeyPair(join(dir, 'issuer'), generateKeyPair());
const config = join(dir, 'sim.yaml');
writeFileSync(config, yaml.dump({ mine: { role: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: '60s' } } }));
const nats = await startNatsServer({ jetstream: true });
const sim = await startReady(process.execPath, [...simNodeFlags, simBin, '--config', config, '--log-level', 'error', '--nats', nats.url, '--count', String(n), '--interval', '600', '--ttl', '1800'], { env: { ...process.env, COHORT_SIM_MINE_ISSUER_KEY: issuerKey } });
const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
await waitForRegistry(nats.url, ids, { timeoutMs: 300000 });
await sleep(65000);
const env = { ...process.env, COHORT_NATS: nats.url, COHORT_CONFIG: '', COHORT_KEY: '', XDG_CACHE_HOME: join(dir, 'xdg'), COHORT_TIMING: '1' };
for (const extra of [{}, {}, { COHORT_SIGNATURE_CACHE: 'off' }, {}]) {
  const t0 = performance.now();
  const r = spawnSync(cohortLauncher, ['mine', 'get', 'role', '--json', '--issuer', issuerPub], { env: { ...env, ...extra }, encoding: 'utf8', maxBuffer: 1 << 26 });
  console.log(JSON.stringify(extra), (performance.now() - t0).toFixed(0), 'ms exit', r.status);
  console.log(r.stderr.split('\n').filter((l) => l.startsWith('timing')).join('\n'));
}
if (process.argv[3]) {
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', '/tmp/mp', join(process.cwd(), 'packages/cli/bin/cohort.js'), 'mine', 'get', 'role', '--json', '--issuer', issuerPub], { env: { ...env, NODE_EXTRA_CA_CERTS: '' }, encoding: 'utf8', maxBuffer: 1 << 26 });
  console.log('profiled', r.status);
}
sim.child?.kill?.(); try { process.kill(sim.pid ?? sim.child.pid) } catch {}
await nats.stop();
process.exit(0);
