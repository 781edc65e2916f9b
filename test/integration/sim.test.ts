// cohort-sim: 200 virtual nodes in two processes on a private JetStream
// nats-server answer rpcutil ping (none lost), are registered, match filters
// as the registry says, and leave the registry when stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildFilter, generateKeyPair, TrustStore, writeKeyPair } from '@cohort/core';
import { Client } from '@cohort/client';
import { simNode } from '@cohort/server';
import { cohort, repoRoot, startNatsServer, type NatsServer } from '../harness/index.js';

const count = 200;
const simBin = join(repoRoot, 'packages/server/bin/cohort-sim.js');
let nats: NatsServer;
let sim: ChildProcess;
let lines: string[] = [];
let client: Client;
// The simulator certifies its node keys with this issuer (--issuer-key); clients trust its public key.
const issuer = writeKeyPair(join(mkdtempSync(join(tmpdir(), 'cohort-sim-issuer-')), 'issuer'), generateKeyPair());
const nodeTrust = TrustStore.load({ kind: 'node', issuers: [issuer.publicFile] });

function waitForLine(prefix: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const found = lines.find((l) => l.startsWith(prefix));
    if (found) return resolve(found);
    const timer = setInterval(() => {
      const hit = lines.find((l) => l.startsWith(prefix));
      if (hit) {
        clearInterval(timer);
        resolve(hit);
      } else if (sim.exitCode !== null || Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`no '${prefix}' line from cohort-sim (exit ${sim.exitCode}); got: ${lines.join(' | ')}`));
      }
    }, 50);
    const deadline = Date.now() + timeoutMs;
  });
}

before(async () => {
  nats = await startNatsServer({ jetstream: true });
  sim = spawn(process.execPath, [simBin, '--nats', nats.url, '--count', String(count), '--per-process', '100', '--log-level', 'error', '--issuer-key', issuer.keyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: sim.stdout! }).on('line', (l) => lines.push(l));
  await waitForLine('ready', 60000);
  client = await Client.connect({ servers: nats.url, callerid: 'user=test', nodeTrust });
});
after(async () => {
  await client?.close();
  if (sim && sim.exitCode === null) {
    sim.kill('SIGKILL');
  }
  await nats?.stop();
});

test('cohort-sim reports readiness and the processes hosting the nodes', () => {
  const ready = lines.find((l) => l.startsWith('ready'))!;
  const m = /^ready (\d+) (\d+) pids=([\d,]+)$/.exec(ready);
  assert.ok(m, ready);
  assert.equal(Number(m[1]), count);
  assert.equal(m[3]!.split(',').length, 2, 'two processes of 100 nodes');
});

test('every virtual node answers rpcutil ping through the library and the CLI, none lost', async () => {
  for (let i = 0; i < 3; i++) {
    const stats = await client.rpc({ agent: 'rpcutil', action: 'ping', discoveryMethod: 'registry' }).stats();
    assert.equal(stats.discovered, count);
    assert.equal(stats.responded, count);
    assert.deepEqual(stats.no_response, []);
    assert.equal(stats.ok, count);
  }
  const r = await cohort(['rpc', 'rpcutil', 'ping', '--display', 'none', '--issuer', issuer.publicFile, '-v'], { nats: nats.url });
  assert.match(r.stderr, /^registry discovery: 200 of 200 registered node\(s\) match$/m);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Finished processing ${count} / ${count} hosts`));
});

test('virtual nodes run the real agents: inventory and get_fact answer with the generated facts', async () => {
  const id = simNode('sim', 42).identity;
  const call = client.rpc({ agent: 'rpcutil', action: 'get_fact', data: { fact: 'role' }, nodes: [id] });
  const replies = [];
  for await (const reply of call) replies.push(reply);
  assert.equal(replies.length, 1);
  assert.equal(replies[0]!.data['value'], simNode('sim', 42).facts['role']);
});

test('registry and broadcast discovery agree on the simulated fleet', async () => {
  for (const spec of [{ fact: ['role=web'] }, { fact: ['cpus>=16', 'os.family=debian'] }, { cls: ['monitoring'] }, { select: ['country=de and not virtual=true'] }]) {
    const filter = buildFilter(spec);
    const plan = await client.planDiscovery(filter, 'registry');
    const broadcast = (await client.discover(filter, { timeout: 3, window: 0.5 })).sort();
    assert.equal(plan.method, 'registry');
    assert.ok(broadcast.length > 0, JSON.stringify(spec));
    assert.deepEqual(plan.method === 'registry' ? plan.identities : [], broadcast, JSON.stringify(spec));
  }
});

test('SIGTERM stops every node and removes them from the registry', async () => {
  sim.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => sim.once('exit', r));
  assert.equal(code, 0);
  assert.ok(lines.some((l) => l === `stopped ${count}`), lines.join(' | '));
  const fresh = await Client.connect({ servers: nats.url, callerid: 'user=test', nodeTrust });
  try {
    const registry = await fresh.registry();
    assert.equal(registry.unavailable, undefined);
    assert.equal(registry.nodes().length, 0);
    assert.deepEqual(registry.ignored(), [], 'every node left a signed tombstone');
  } finally {
    await fresh.close();
  }
});
