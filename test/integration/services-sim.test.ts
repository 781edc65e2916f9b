// cohort-sim --services: ten virtual nodes publish the simulated services
// and addresses (sim/services.ts) in signed registry records, exactly as
// simServices computes them from each node's index; without the flag the
// records carry none.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect, type NatsConnection } from 'nats';
import { generateKeyPair, readRegistryEntry, registryBucket, registryKey, TrustStore, writeKeyPair, type RegistrationMessage } from '@cohort/core';
import { simAddress, simIdentity, simServices } from '@cohort/server';
import { repoRoot, startNatsServer, waitForRegistry, type NatsServer } from '../harness/index.js';

const simBin = join(repoRoot, 'packages/server/bin/cohort-sim.js');
const issuer = writeKeyPair(join(mkdtempSync(join(tmpdir(), 'cohort-sim-services-')), 'issuer'), generateKeyPair());
const trust = TrustStore.load({ kind: 'node', issuers: [issuer.publicFile] });
let nats: NatsServer;
let nc: NatsConnection;
const sims: ChildProcess[] = [];

function startSim(args: string[]): Promise<void> {
  const sim = spawn(process.execPath, [simBin, '--nats', nats.url, '--log-level', 'error', '--issuer-key', issuer.keyFile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  sims.push(sim);
  return new Promise((resolve, reject) => {
    createInterface({ input: sim.stdout! }).on('line', (l) => l.startsWith('ready') && resolve());
    sim.once('exit', (code) => reject(new Error(`cohort-sim exited with ${code} before it was ready`)));
  });
}

async function record(id: string): Promise<RegistrationMessage> {
  const kv = await nc.jetstream().views.kv(registryBucket('cohort'), { bindOnly: true });
  const e = await kv.get(registryKey(id));
  assert.ok(e && e.operation === 'PUT', `a record for ${id}`);
  const r = readRegistryEntry(e.value, id, trust, Date.now());
  assert.equal(r.kind, 'record', r.kind === 'ignored' ? r.reason : '');
  return (r as { record: RegistrationMessage }).record;
}

before(async () => {
  nats = await startNatsServer({ jetstream: true });
  await Promise.all([startSim(['--count', '10', '--services']), startSim(['--count', '2', '--prefix', 'plain'])]);
  await waitForRegistry(nats.url, [...Array.from({ length: 10 }, (_, i) => simIdentity('sim', i + 1)), 'plain-00001', 'plain-00002'], { timeoutMs: 60_000 });
  nc = await connect({ servers: nats.url });
});

after(async () => {
  await nc?.close();
  for (const s of sims) if (s.exitCode === null) s.kill('SIGKILL');
  await nats?.stop();
});

test('with --services every virtual node publishes its simulated address and services (verified); without, none', async () => {
  for (let i = 1; i <= 10; i++) {
    const r = await record(simIdentity('sim', i));
    assert.equal(r.address, simAddress(i));
    assert.deepEqual(r.services, simServices(i, r.started_at), `services of node ${i}`);
  }
  const ten = await record(simIdentity('sim', 10));
  assert.deepEqual(ten.services?.map((s) => [s.name, s.port, s.tags.join(','), s.health]), [
    ['http', 80, 'v2,staging', 'passing'],
    ['https', 443, 'tls', 'passing'],
    ['node-exporter', 9100, 'metrics', 'passing'],
  ]);
  const plain = await record('plain-00001');
  assert.equal(plain.address, undefined);
  assert.equal(plain.services, undefined);
});
