// Services on real nodes (issue 18): two cohortd processes on a JetStream
// nats-server publish their services, with tags, health and the address
// from their facts, in their signed registry records (read here and verified
// with the fleet's issuer). The heartbeat is set to 5 minutes, so every
// change seen below was republished at once by the node: a service whose
// check (real check_dummy) goes CRITICAL through a drop-in change, a TCP
// probe whose port closes, and a services drop-in added live (same pid).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect, type KV, type NatsConnection } from 'nats';
import { readRegistryEntry, registryBucket, registryKey, TrustStore, type RegistrationMessage, type ServiceEntry } from '@cohort/core';
import { startFleet, startNatsServer, type Fleet, type NatsServer, until as waitUntil } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';

const dummy = '/usr/lib/nagios/plugins/check_dummy';
const skip = existsSync(dummy) ? undefined : 'needs monitoring-plugins-basic (/usr/lib/nagios/plugins/check_dummy)';

function until(check: () => Promise<boolean> | boolean, what: string, ms = 60_000, everyMs = 200): Promise<void> {
  return waitUntil(what, check, { timeoutMs: ms, everyMs });
}

const dbCheck = (code: number) => yaml.dump({ checks: { db_ok: { command: [dummy, String(code), `db says ${code}`], interval: '2s', retries: 1, splay: false } } });

describe('services in the registry records of two real nodes', { skip }, () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dir: string;
  let nc: NatsConnection;
  let kv: KV;
  let trust: TrustStore;
  let tcp: Server;
  let tcpPort: number;

  /** The node's verified record (throws when it does not verify). */
  const record = async (id: string): Promise<RegistrationMessage | undefined> => {
    const e = await kv.get(registryKey(id));
    if (e === null || e.operation !== 'PUT') return undefined;
    const r = readRegistryEntry(e.value, id, trust, Date.now());
    if (r.kind !== 'record') throw new Error(`record of ${id}: ${r.kind === 'ignored' ? r.reason : 'gone'}`);
    assert.equal(r.verified, true);
    return r.record;
  };
  const service = async (id: string, name: string): Promise<ServiceEntry | undefined> => (await record(id))?.services?.find((s) => s.name === name);

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'cohort-services-'));
    tcp = createServer((s) => s.destroy());
    tcpPort = await new Promise<number>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve((tcp.address() as { port: number }).port)));
    for (const id of ['n1', 'n2']) {
      mkdirSync(join(dir, id, 'services.d'), { recursive: true });
      mkdirSync(join(dir, id, 'checks.d'), { recursive: true });
    }
    writeFileSync(join(dir, 'n1', 'checks.d', 'db.yaml'), dbCheck(0));
    writeFileSync(join(dir, 'n1', 'services.d', 'db.yaml'), yaml.dump({ services: { postgres: { port: 5432, tags: ['primary', 'pg16'], health: { check: 'db_ok' } } } }));
    writeFileSync(join(dir, 'n2', 'services.d', 'app.yaml'), yaml.dump({ services: { app: { port: tcpPort, tags: ['blue'], health: { tcp: `127.0.0.1:${tcpPort}`, interval: '1s', timeout: '500ms' } } } }));
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir,
      nodes: [
        { identity: 'n1', facts: { role: 'db', networking: { ip: '192.0.2.11' } }, classes: [] },
        { identity: 'n2', facts: { role: 'app', ipaddress: '192.0.2.12' }, classes: [] },
      ],
      registry: true,
      logLevel: 'info',
      config: {
        registration: { interval: 300, ttl: 900 },
        services: { web: { port: 8080, tags: ['http', 'v2'] }, Broken_Name: { port: 1 } },
        services_dir: 'services.d',
        checks_dir: 'checks.d',
      },
    });
    trust = TrustStore.load({ kind: 'node', issuers: [fleet.issuer as string] });
    nc = await connect({ servers: nats.url });
    kv = await nc.jetstream().views.kv(registryBucket('cohort'), { bindOnly: true });
  });

  after(async () => {
    await nc?.close();
    await fleet?.stop();
    await nats?.stop();
    if (tcp?.listening) tcp.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('each verified record carries the address from the facts and the services with tags and health; a bad service is logged', async () => {
    await until(async () => (await service('n1', 'postgres'))?.health === 'passing', 'postgres on n1 is passing');
    await until(async () => (await service('n2', 'app'))?.health === 'passing', 'app on n2 is passing');
    const n1 = await record('n1');
    const n2 = await record('n2');
    assert.equal(n1?.address, '192.0.2.11', 'networking.ip');
    assert.equal(n2?.address, '192.0.2.12', 'ipaddress');
    assert.deepEqual(n1?.services?.map((s) => s.name), ['postgres', 'web']);
    assert.deepEqual(n2?.services?.map((s) => s.name), ['app', 'web']);
    const web = n1?.services?.find((s) => s.name === 'web');
    assert.deepEqual({ ...web, since: 0 }, { name: 'web', port: 8080, tags: ['http', 'v2'], health: 'passing', health_source: 'none', since: 0 });
    const pg = n1?.services?.find((s) => s.name === 'postgres');
    assert.equal(pg?.port, 5432);
    assert.deepEqual(pg?.tags, ['primary', 'pg16']);
    assert.equal(pg?.health_source, 'check:db_ok');
    assert.equal(pg?.output, "check 'db_ok' OK: OK: db says 0");
    const app = n2?.services?.find((s) => s.name === 'app');
    assert.deepEqual(app?.tags, ['blue']);
    assert.equal(app?.health_source, `tcp:127.0.0.1:${tcpPort}`);
    for (const id of ['n1', 'n2']) assert.match(fleet.nodes.get(id)?.log() ?? '', /service 'Broken_Name': the name must be a DNS label/);
  });

  test('a service whose check goes CRITICAL (drop-in changed to check_dummy 2) is critical in the record, long before the heartbeat', async () => {
    const before = await service('n1', 'postgres');
    writeFileSync(join(dir, 'n1', 'checks.d', 'db.yaml'), dbCheck(2));
    await until(async () => (await service('n1', 'postgres'))?.health === 'critical', 'postgres on n1 is critical');
    const pg = await service('n1', 'postgres');
    assert.equal(pg?.output, "check 'db_ok' CRITICAL: CRITICAL: db says 2");
    assert.ok((pg?.since ?? 0) > (before?.since ?? 0), 'since moves with the health');
    assert.equal((await service('n1', 'web'))?.health, 'passing', 'the other service is untouched');
  });

  test('a tcp probe against a port that closes turns critical', async () => {
    await new Promise((r) => tcp.close(r));
    await until(async () => (await service('n2', 'app'))?.health === 'critical', 'app on n2 is critical');
    assert.match((await service('n2', 'app'))?.output ?? '', /ECONNREFUSED/);
  });

  test('a services drop-in added live shows in the record; same process', async () => {
    const pid = fleet.nodes.get('n2')?.process.pid;
    const startedAt = (await record('n2'))?.started_at;
    writeFileSync(join(dir, 'n2', 'services.d', 'dns.yaml'), yaml.dump({ dns: { port: 53, tags: ['udp', 'tcp'] } }));
    await until(async () => (await service('n2', 'dns')) !== undefined, 'dns appears on n2');
    assert.deepEqual({ ...(await service('n2', 'dns')), since: 0 }, { name: 'dns', port: 53, tags: ['udp', 'tcp'], health: 'passing', health_source: 'none', since: 0 });
    assert.equal(fleet.nodes.get('n2')?.process.pid, pid);
    assert.equal(fleet.nodes.get('n2')?.process.exitCode, null);
    assert.equal((await record('n2'))?.started_at, startedAt, 'the same daemon, not restarted');
    assert.ok(!readFileSync(join(dir, 'n2', 'server.yaml'), 'utf8').includes('dns'), 'only the drop-in changed');
  });
});
