// Where `mine get`'s in-process time goes (`node scripts/bench/mine-read.mjs [N]`):
// N cohort-sim nodes each write one signed value (every 20 s); then, 8 times,
// the bucket is read raw (open + one watch of the current values, no
// verification), the same entries verified on the main thread
// (verifyMineEntry), verified in the thread pool (verifyMineEntryAsync), and
// read + verified as `mine get` does (readMine). Certificates are checked once
// before the timed rounds (TrustStore caches them), as in a long-lived reader.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { generateKeyPair, mineBucket, SignatureFile, TrustStore, writeKeyPair } from '@cohort/core';
import { connectBus, mine } from '@cohort/client';
import { startNatsServer, waitForRegistry } from '../harness.mjs';
import { simBin, simNodeFlags } from './fleet.mjs';
import { median, sleep, startReady } from './util.mjs';
const n = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'cohort-probe-'));
const issuer = generateKeyPair();
const { keyFile: issuerKey, publicFile: issuerPub } = writeKeyPair(join(dir, 'issuer'), issuer);
const config = join(dir, 'sim.yaml');
writeFileSync(config, yaml.dump({ mine: { role: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: '20s' } } }));
const nats = await startNatsServer({ jetstream: true });
const sim = await startReady(process.execPath, [...simNodeFlags, simBin, '--config', config, '--log-level', 'error', '--nats', nats.url, '--count', String(n), '--interval', '600', '--ttl', '1800'], { env: { ...process.env, COHORT_SIM_MINE_ISSUER_KEY: issuerKey } });
const ids = Array.from({ length: n }, (_, i) => `sim-${String(i + 1).padStart(5, '0')}`);
await waitForRegistry(nats.url, ids, { timeoutMs: 300000 });
const bus = await connectBus({ servers: [nats.url] });
for (;;) { const r = await mine.readMine(bus.mineKv, 'cohort', 'role', TrustStore.load({ kind: 'node', issuers: [issuerPub] })); if (r.readings.size >= n) break; await sleep(500); }
const trust = TrustStore.load({ kind: 'node', issuers: [issuerPub] });
// warm the certificate cache
await mine.readMine(bus.mineKv, 'cohort', 'role', trust);
const remembering = TrustStore.load({ kind: 'node', issuers: [issuerPub] }).rememberSignatures();
const c0 = performance.now();
await mine.readMine(bus.mineKv, 'cohort', 'role', remembering);
console.log('remembering reader, cold read (certificates + signatures)', (performance.now() - c0).toFixed(1), 'ms');
const sigFile = join(dir, 'cache', 'verified-signatures');
const fileRead = async () => {
  const file = SignatureFile.open(sigFile);
  await mine.readMine(bus.mineKv, 'cohort', 'role', TrustStore.load({ kind: 'node', issuers: [issuerPub] }).rememberSignatures(undefined, file));
  file.save();
};
await fileRead();
const t = { raw: [], open: [], syncV: [], asyncV: [], readMine: [], remembered: [], file: [] };
for (let i = 0; i < 8; i++) {
  let t0 = performance.now();
  const kv = await bus.mineKv(mineBucket('cohort'), false);
  t.open.push(performance.now() - t0);
  const entries = [];
  await kv.watch('role.>', (e) => entries.push(e), false);
  t.raw.push(performance.now() - t0);
  t0 = performance.now();
  for (const e of entries) mine.verifyMineEntry(e.key, e.value, trust, Date.now());
  t.syncV.push(performance.now() - t0);
  t0 = performance.now();
  await Promise.all(entries.map((e) => mine.verifyMineEntryAsync(e.key, e.value, trust, Date.now())));
  t.asyncV.push(performance.now() - t0);
  t0 = performance.now();
  await mine.readMine(bus.mineKv, 'cohort', 'role', trust);
  t.readMine.push(performance.now() - t0);
  t0 = performance.now();
  await mine.readMine(bus.mineKv, 'cohort', 'role', remembering);
  t.remembered.push(performance.now() - t0);
  t0 = performance.now();
  await fileRead();
  t.file.push(performance.now() - t0);
}
console.log('remembering reader: checks', remembering.signatures.checks, 'remembered', remembering.signatures.hits);
for (const [k, v] of Object.entries(t)) console.log(k.padEnd(10), 'p50', median(v).toFixed(1), 'all', v.map((x) => x.toFixed(0)).join(' '));
console.log('bytes per value', (await (async () => { const kv = await bus.mineKv(mineBucket('cohort'), false); let b = 0; await kv.watch('role.>', (e) => (b = e.value.length), false); return b; })()));
await bus.close(); await sim.stop(); await nats.stop();
process.exit(0);
