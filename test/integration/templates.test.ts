// Node-side templates with a real cohortd: a template rendered from the key-
// value bucket, the verified service catalogue (registry records signed by a
// node key certified by the fleet's issuer, written here as the contract
// says) and the node's facts; re-rendered on `cohort kv put` and on a service
// change, its command (a script appending to a file) run exactly once each
// time; a broken template keeps the old file and is counted in daemon_stats;
// a record signed by the wrong key never reaches the file; an expired record
// (a dead node) leaves it; the node's own services_dir service comes and goes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type KV, type NatsConnection } from 'nats';
import {
  createSigner,
  generateKeyPair,
  issueCertificate,
  publicKeyHex,
  readPrivateKey,
  registryBucket,
  RegistryTag,
  sealRegistration,
  type RegistrationMessage,
  type ServiceEntry,
} from '@cohort/core';
import { cohort, startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';

/** Set once the fleet runs: what to show when a wait times out. */
let diagnose: () => string = () => '';

function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  return until(what, check, { timeoutMs: ms, everyMs: 50, log: () => diagnose(), logName: 'fleet' });
}

const source = `# for {{ node.identity }} ({{ node.facts.role }})
maxconn {{ kv["haproxy.maxconn"] | default("none") }}
{% for s in services.redis | default([]) %}
server {{ s.identity }} {{ s.address }}:{{ s.port }}
{% endfor %}
`;

describe('templates: rendered by cohortd from the KV bucket, the service catalogue and facts', () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let nc: NatsConnection;
  let registry: KV;
  let dir: string;
  let sourceFile: string;
  let destination: string;
  let runs: string;
  let servicesDir: string;
  const now = () => Date.now();

  const text = () => (existsSync(destination) ? readFileSync(destination, 'utf8') : '');
  const runCount = () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0);
  const kvPut = async (key: string, value: string) => {
    const r = await cohort(['kv', 'put', key, value], { env: { COHORT_NATS: nats.url } });
    assert.equal(r.code, 0, r.stderr);
  };
  /** A registry record for a node that runs redis, signed with `signerKey`'s node key. */
  const serviceNode = (identity: string, address: string, services: ServiceEntry[]): RegistrationMessage => ({
    protocol: RegistryTag.Registration,
    identity,
    collectives: ['cohort'],
    facts: { role: 'cache' },
    classes: [],
    agents: ['rpcutil'],
    version: 'test',
    started_at: now() - 1000,
    time: now(),
    interval: 60,
    address,
    services,
  });
  const redis = (port: number, health: ServiceEntry['health'] = 'passing'): ServiceEntry => ({ name: 'redis', port, tags: ['primary'], health, health_source: 'none', since: now() });
  let certifiedSigner: (identity: string) => ReturnType<typeof createSigner>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cohort-templates-'));
    sourceFile = join(dir, 'haproxy.cfg.njk');
    destination = join(dir, 'haproxy.cfg');
    runs = join(dir, 'runs.log');
    writeFileSync(sourceFile, source);
    const script = join(dir, 'reload.sh');
    writeFileSync(script, '#!/bin/sh\necho "reload $(wc -l < "$2")" >> "$1"\n');
    chmodSync(script, 0o755);
    nats = await startNatsServer({ jetstream: true });
    const fleetDir = join(dir, 'fleet');
    servicesDir = join(dir, 'services.d');
    mkdirSync(servicesDir);
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      nodes: [{ identity: 'lb1', facts: { role: 'lb' }, classes: [] }],
      registry: true,
      dir: fleetDir,
      logLevel: 'info',
      config: {
        templates: { haproxy: { source: sourceFile, destination, command: [script, runs, destination], debounce: '200ms' } },
        template_data: { issuers: [join(fleetDir, 'security', 'issuer.pub')] },
        // A short registry max age, so a node that stops refreshing its record leaves within the test.
        registration: { interval: 2, ttl: 15 },
        // The node's own services (live drop-ins) and address, published in its signed record.
        services_dir: servicesDir,
        advertise_address: '127.0.0.2',
      },
    });
    const issuerKey = readPrivateKey(join(fleetDir, 'security', 'issuer.key'));
    certifiedSigner = (identity) => {
      const pair = generateKeyPair();
      return createSigner(pair.privateKey, identity, issueCertificate(issuerKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey), expiresAt: now() + 86_400_000 }));
    };
    diagnose = () => `file:\n${text()}\nruns: ${existsSync(runs) ? readFileSync(runs, 'utf8') : '(none)'}\nlog (tail):\n${fleet.nodes.get('lb1')!.log().slice(-3000)}`;
    nc = await connect({ servers: nats.url });
    registry = await nc.jetstream().views.kv(registryBucket('cohort'), { bindOnly: true });
  });
  after(async () => {
    await nc?.close();
    await fleet?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('rendered at start from the facts; the command ran once', async () => {
    await waitFor(() => runCount() === 1, 'the first render');
    assert.equal(text(), '# for lb1 (lb)\nmaxconn none\n');
  });

  test('a cohort kv put re-renders (the bucket appears after the node started); the command runs exactly once', async () => {
    await kvPut('haproxy.maxconn', '4096');
    await waitFor(() => text().includes('maxconn 4096'), 'the KV value in the file');
    await waitFor(() => runCount() >= 2, 'the command');
    // Writing the same value again changes nothing in the file: no further run.
    await kvPut('haproxy.maxconn', '4096');
    await kvPut('unrelated.key', 'x');
    await kvPut('haproxy.maxconn', '8192');
    await waitFor(() => text().includes('maxconn 8192'), 'the new value');
    await waitFor(() => runCount() >= 3, 'the command');
    assert.deepEqual(readFileSync(runs, 'utf8').split('\n').filter(Boolean), ['reload 2', 'reload 2', 'reload 2']);
  });

  test('a service appearing, moving and turning critical re-renders once each; a forged record is ignored', async () => {
    const signer = certifiedSigner('cache1');
    const before = runCount();
    await registry.put('cache1', sealRegistration(serviceNode('cache1', '10.1.0.1', [redis(6379)]), signer));
    await waitFor(() => text().includes('server cache1 10.1.0.1:6379'), 'the service in the file');
    await waitFor(() => runCount() === before + 1, 'the command');
    // A record for cache2 signed by cache1's key: not verified, never rendered.
    await registry.put('cache2', sealRegistration(serviceNode('cache2', '6.6.6.6', [redis(6379)]), certifiedSigner('cache1')));
    await registry.put('cache1', sealRegistration(serviceNode('cache1', '10.1.0.1', [redis(6380)]), signer));
    await waitFor(() => text().includes('server cache1 10.1.0.1:6380'), 'the new port');
    await waitFor(() => runCount() === before + 2, 'the command');
    assert.doesNotMatch(text(), /6\.6\.6\.6/);
    await registry.put('cache1', sealRegistration(serviceNode('cache1', '10.1.0.1', [redis(6380, 'critical')]), signer));
    await waitFor(() => !text().includes('server cache1'), 'the critical service to leave the file');
    await waitFor(() => runCount() === before + 3, 'the command');
    assert.equal(text(), '# for lb1 (lb)\nmaxconn 8192\n');
    assert.equal(runCount(), before + 3);
  });

  test('a broken template keeps the last good file, is logged and counted in daemon_stats', async () => {
    const good = text();
    const before = runCount();
    writeFileSync(sourceFile, '# broken {{ kv["haproxy.maxconn"] }\n');
    await kvPut('haproxy.maxconn', '1');
    const stats = async () => {
      const r = await cohort(['rpc', 'rpcutil', 'daemon_stats', '-I', 'lb1', '--json'], { env: { COHORT_NATS: nats.url } });
      assert.equal(r.code, 0, r.stderr);
      const res = JSON.parse(r.stdout) as { replies: Array<{ data: { templates: Record<string, Record<string, number>> } }> };
      return res.replies[0]!.data.templates['haproxy']!;
    };
    let counters = await stats();
    await until('lb1 to count the failed render', async () => (counters = await stats())['render_errors']! >= 1, { timeoutMs: 20_000, everyMs: 200, log: () => JSON.stringify(counters), logName: 'counters' });
    // At least this change's render failed (an expiring record may add another).
    assert.ok(counters['render_errors']! >= 1, JSON.stringify(counters));
    await waitFor(() => fleet.nodes.get('lb1')!.log().includes('template haproxy: rendering'), 'the error in the log');
    assert.match(fleet.nodes.get('lb1')!.log(), /template haproxy: rendering .* failed: .*; keeping the last good .*haproxy\.cfg/);
    assert.equal(text(), good);
    assert.equal(runCount(), before);
    // Fixed: the next change renders again.
    writeFileSync(sourceFile, source);
    await kvPut('haproxy.maxconn', '2');
    await waitFor(() => text().includes('maxconn 2'), 'the fixed template');
    await waitFor(() => runCount() === before + 1, 'the command');
    assert.equal(counters['commands'], before);
  });

  test('a node whose record expires (it died) leaves the file; the command runs once', async () => {
    const before = runCount();
    await registry.put('cache3', sealRegistration(serviceNode('cache3', '10.1.0.3', [redis(7000)]), certifiedSigner('cache3')));
    await waitFor(() => text().includes('server cache3 10.1.0.3:7000'), 'the service in the file');
    await waitFor(() => runCount() === before + 1, 'the command');
    // Nobody refreshes cache3's record: the bucket's max age (15 s) removes it, without a notice to watchers.
    await waitFor(() => !text().includes('cache3'), 'the expired node to leave the file', 60_000);
    await waitFor(() => runCount() === before + 2, 'the command');
    assert.equal(text(), '# for lb1 (lb)\nmaxconn 2\n');
  });

  test("a service declared on the node itself (a services_dir drop-in) comes and goes through its own signed record", async () => {
    const before = runCount();
    const file = join(servicesDir, 'redis.yaml');
    writeFileSync(file, 'redis: { port: 6390, tags: [local] }\n');
    await waitFor(() => text().includes('server lb1 127.0.0.2:6390'), "the node's own service in the file");
    await waitFor(() => runCount() === before + 1, 'the command');
    rmSync(file);
    await waitFor(() => !text().includes('server lb1'), 'the service to leave the file');
    await waitFor(() => runCount() === before + 2, 'the command');
    assert.equal(text(), '# for lb1 (lb)\nmaxconn 2\n');
  });
});
