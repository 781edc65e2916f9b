// The node side of services (issue 18): parsing services: entries (errors
// name the service and the setting; the other services stay), the health
// mapping from check states and HTTP statuses, the TCP and HTTP probes
// against real local servers, the Services set on the real scheduler with a
// live drop-in directory, the node's address, and the registry record
// carrying both (checked against the registration schema).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStates, ConfigError, decodeRegistration, encodeRegistryMessage, type CheckState, type CheckStateRecord } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import {
  buildRegistration,
  healthOfCheck,
  healthOfCheckState,
  healthOfHttpStatus,
  nodeAddress,
  parseServiceDefinitions,
  probeHttp,
  probeTcp,
  Scheduler,
  Services,
  simOffer,
  simServices,
} from '@cohort/server';

function logger(lines: string[]): Logger {
  const add = (m: string) => void lines.push(m);
  const l = { error: add, warn: add, info: add, debug: () => undefined, child: () => l } as unknown as Logger;
  return l;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function listen<S extends Server | HttpServer>(server: S): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function close(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await close(s);
  return port;
}

test('services: a good entry parses with its defaults; each bad one is reported naming the service and the setting, the others kept', () => {
  const { services, errors } = parseServiceDefinitions(
    {
      redis: { port: 6379, tags: ['primary', 'v7'], health: { check: 'redis_ping' } },
      web: { port: 443, health: { http: 'https://127.0.0.1/health', interval: '5s' } },
      ssh: { port: 22, health: { tcp: '[::1]:22' } },
      plain: { port: 9100 },
      Bad_Name: { port: 1 },
      noport: { tags: [] },
      bigport: { port: 70000 },
      badtag: { port: 1, tags: ['Not A Label'] },
      extra: { port: 1, weight: 3 },
      two: { port: 1, health: { tcp: '127.0.0.1:1', http: 'http://x/' } },
      checkint: { port: 1, health: { check: 'x', interval: '5s' } },
      badtcp: { port: 1, health: { tcp: 'localhost' } },
      badurl: { port: 1, health: { http: 'ftp://x/' } },
      secret: { port: 1, health: { http: 'http://u:p@127.0.0.1/' } },
      slow: { port: 1, health: { tcp: '127.0.0.1:1', interval: '2s', timeout: '5s' } },
      badhealth: { port: 1, health: { udp: '127.0.0.1:53' } },
    },
    'config',
  );
  assert.deepEqual(services.map((s) => s.name), ['redis', 'web', 'ssh', 'plain']);
  assert.deepEqual(services[0], { name: 'redis', port: 6379, tags: ['primary', 'v7'], health: { kind: 'check', check: 'redis_ping' }, source: 'config' });
  assert.deepEqual(services[1]?.health, { kind: 'http', url: 'https://127.0.0.1/health', intervalMs: 5000, timeoutMs: 2000 });
  assert.deepEqual(services[2]?.health, { kind: 'tcp', host: '::1', port: 22, intervalMs: 10_000, timeoutMs: 2000 });
  assert.deepEqual(services[3]?.health, { kind: 'none' });
  const expect: Array<[string, RegExp]> = [
    ['Bad_Name', /the name must be a DNS label/],
    ['noport', /port must be a whole number from 1 to 65535/],
    ['bigport', /port must be a whole number from 1 to 65535 \(got 70000\)/],
    ['badtag', /tags: "Not A Label" is not a DNS label/],
    ['extra', /unknown setting 'weight'/],
    ['two', /exactly one of check, tcp or http \(got tcp and http\)/],
    ['checkint', /health.interval and health.timeout are the check's own settings/],
    ['badtcp', /health.tcp must be host:port/],
    ['badurl', /health.http must be an http:\/\/ or https:\/\/ URL/],
    ['secret', /health.http must not carry a user or password/],
    ['slow', /health.timeout \(5 s\) must not be longer than health.interval \(2 s\)/],
    ['badhealth', /unknown setting 'health.udp'/],
  ];
  assert.equal(errors.length, expect.length, errors.join('\n'));
  for (const [name, re] of expect) {
    const e = errors.find((x) => x.startsWith(`service '${name}': `));
    assert.ok(e, `an error names service '${name}'`);
    assert.match(e, re);
    assert.match(e, /\(config\)$/);
  }
  assert.match(parseServiceDefinitions(['x'], 'drop-in /d/a.yaml').errors[0] ?? '', /drop-in \/d\/a.yaml: services must be a map/);
});

test('config: services, services_dir and advertise_address load; a bad advertise_address or services shape is a ConfigError naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-svc-config-'));
  const file = join(dir, 'server.yaml');
  writeFileSync(file, 'services:\n  redis: { port: 6379 }\nservices_dir: services.d\nadvertise_address: "2001:db8::10"\n');
  const { config } = loadServerConfig({ file });
  assert.deepEqual(config.services, { redis: { port: 6379 } });
  assert.equal(config.services_dir, join(dir, 'services.d'));
  assert.equal(config.advertise_address, '2001:db8::10');
  assert.equal(loadServerConfig({}).config.advertise_address, null);
  for (const [flags, re] of [
    [{ advertise_address: 'myhost.example' }, /advertise_address.*must be an IPv4 or IPv6 address.*myhost\.example/],
    [{ services: ['redis'] }, /services/],
  ] as const) {
    assert.throws(() => loadServerConfig({ flags }), (err: unknown) => err instanceof ConfigError && re.test(err.message));
  }
  assert.equal(loadServerConfig({ env: { COHORT_ADVERTISE_ADDRESS: '192.0.2.7' } }).config.advertise_address, '192.0.2.7');
});

test('health mapping: check states (ok and maintenance passing, pending unknown) and HTTP statuses (2xx passing, 429 warning, else critical)', () => {
  const want: Record<CheckState, string> = { ok: 'passing', warning: 'warning', critical: 'critical', unknown: 'unknown', pending: 'unknown', maintenance: 'passing' };
  for (const s of checkStates) assert.equal(healthOfCheckState(s), want[s], s);
  const record = { state: 'critical', output: 'disk full' } as CheckStateRecord;
  assert.deepEqual(healthOfCheck('disk', record), { health: 'critical', output: "check 'disk' CRITICAL: disk full" });
  assert.deepEqual(healthOfCheck('disk', undefined), { health: 'unknown', output: "no check 'disk' runs on this node" });
  for (const [status, h] of [[200, 'passing'], [204, 'passing'], [299, 'passing'], [301, 'critical'], [404, 'critical'], [429, 'warning'], [500, 'critical'], [503, 'critical']] as const) {
    assert.equal(healthOfHttpStatus(status), h, String(status));
  }
});

test('tcp probe: passing against a listening port, critical once it is closed', async () => {
  const server = createServer((s) => s.destroy());
  const port = await listen(server);
  assert.deepEqual(await probeTcp('127.0.0.1', port, 2000), { health: 'passing', output: `TCP 127.0.0.1:${port}: connected` });
  await close(server);
  const r = await probeTcp('127.0.0.1', port, 2000);
  assert.equal(r.health, 'critical');
  assert.match(r.output, /ECONNREFUSED/);
});

test('http probe: 200 passing, 429 warning, 500 critical, a redirect followed, refused and no answer critical', async () => {
  const server = createHttpServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/ok' }).end();
      return;
    }
    const status = req.url === '/busy' ? 429 : req.url === '/broken' ? 500 : 200;
    res.writeHead(status).end('body');
  });
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  try {
    assert.deepEqual(await probeHttp(`${base}/ok`, 2000), { health: 'passing', output: 'HTTP 200 OK' });
    assert.deepEqual(await probeHttp(`${base}/busy`, 2000), { health: 'warning', output: 'HTTP 429 Too Many Requests' });
    assert.deepEqual(await probeHttp(`${base}/broken`, 2000), { health: 'critical', output: 'HTTP 500 Internal Server Error' });
    assert.equal((await probeHttp(`${base}/moved`, 2000)).health, 'passing');
    assert.deepEqual(await probeHttp(`${base}/hang`, 300), { health: 'critical', output: `HTTP GET ${base}/hang: no answer within 0.3 s` });
  } finally {
    server.closeAllConnections();
    await close(server);
  }
  const refused = await probeHttp(`http://127.0.0.1:${await closedPort()}/`, 2000);
  assert.equal(refused.health, 'critical');
  assert.match(refused.output, /ECONNREFUSED/);
});

test('Services: healths from none, a check and a tcp probe; a check going critical and the port closing each republish; a drop-in added and broken live', async () => {
  const tcp = createServer((s) => s.destroy());
  const port = await listen(tcp);
  const dir = mkdtempSync(join(tmpdir(), 'cohort-svc-dropins-'));
  const lines: string[] = [];
  const scheduler = new Scheduler({ log: logger(lines) });
  let checkState: CheckState = 'ok';
  let changes = 0;
  const services = new Services({
    configFile: undefined,
    settings: {
      services: {
        plain: { port: 9100, tags: ['metrics'] },
        redis: { port: 6379, tags: ['primary'], health: { check: 'redis_ping' } },
        app: { port, health: { tcp: `127.0.0.1:${port}`, interval: '1s', timeout: '500ms' } },
        'Bad': { port: 1 },
      },
      services_dir: dir,
    },
    scheduler,
    checkRecord: (name) => (name === 'redis_ping' ? ({ state: checkState, output: `PONG (${checkState})` } as CheckStateRecord) : undefined),
    log: logger(lines),
    onChange: () => changes++,
  });
  try {
    await services.start();
    assert.ok(lines.some((l) => /services: service 'Bad': the name must be a DNS label.*; ignored/.test(l)), lines.join('\n'));
    const byName = () => new Map(services.entries().map((e) => [e.name, e]));
    let e = byName();
    assert.deepEqual([...e.keys()], ['app', 'plain', 'redis']);
    assert.deepEqual({ ...e.get('plain'), since: 0 }, { name: 'plain', port: 9100, tags: ['metrics'], health: 'passing', health_source: 'none', since: 0 });
    assert.equal(e.get('redis')?.health, 'passing');
    assert.equal(e.get('redis')?.health_source, 'check:redis_ping');
    assert.equal(e.get('redis')?.output, "check 'redis_ping' OK: PONG (ok)");
    assert.equal(e.get('app')?.health, 'passing', 'the first probe ran before start() resolved');
    assert.equal(e.get('app')?.health_source, `tcp:127.0.0.1:${port}`);

    const before = changes;
    checkState = 'critical';
    services.checksChanged();
    assert.equal(changes, before + 1, 'a health change republishes at once');
    assert.equal(byName().get('redis')?.health, 'critical');
    services.checksChanged();
    assert.equal(changes, before + 1, 'no change, no republish');

    await close(tcp);
    await until(() => byName().get('app')?.health === 'critical', 'the closed port is critical');
    assert.match(byName().get('app')?.output ?? '', /ECONNREFUSED/);

    const n = changes;
    writeFileSync(join(dir, 'extra.yaml'), 'services:\n  dns: { port: 53, tags: [udp, tcp] }\n  web: { port: 0 }\n');
    await until(() => byName().has('dns'), 'the drop-in service appears');
    assert.ok(changes > n);
    assert.deepEqual(byName().get('dns')?.tags, ['udp', 'tcp']);
    assert.ok(lines.some((l) => l.includes("service 'web': port must be a whole number") && l.includes(join(dir, 'extra.yaml'))), lines.join('\n'));
    writeFileSync(join(dir, 'extra.yaml'), '{}\n');
    await until(() => !byName().has('dns'), 'the drop-in service goes');
  } finally {
    services.stop();
    await scheduler.stop();
    if (tcp.listening) await close(tcp);
  }
});

test('address: advertise_address wins, else networking.ip, ipaddress, networking.ip6, ipaddress6 in that order (non-addresses skipped)', () => {
  assert.equal(nodeAddress('192.0.2.1', { ipaddress: '10.0.0.1' }), '192.0.2.1');
  assert.equal(nodeAddress(null, { networking: { ip: '10.0.0.2', ip6: 'fe80::1' }, ipaddress: '10.0.0.1' }), '10.0.0.2');
  assert.equal(nodeAddress(null, { networking: { ip: 'not-an-ip' }, ipaddress: '10.0.0.1' }), '10.0.0.1');
  assert.equal(nodeAddress(null, { ipaddress6: '2001:db8::2', networking: { ip6: '2001:db8::1' } }), '2001:db8::1');
  assert.equal(nodeAddress(null, { role: 'web' }), undefined);
});

test('the registry record carries address and services and passes the registration schema; none left out when there are none', () => {
  const node = { identity: 'n1', collectives: ['cohort'], version: '1', startedAt: 1000 };
  const view = { identity: 'n1', facts: {}, classes: [], agents: ['rpcutil'] };
  const services = [{ name: 'redis', port: 6379, tags: ['primary'], health: 'passing' as const, health_source: 'check:redis_ping', output: 'PONG', since: 2000 }];
  const record = buildRegistration(node, view, 60, 3000, { address: '192.0.2.1', services });
  const back = decodeRegistration(encodeRegistryMessage(record));
  assert.equal(back.address, '192.0.2.1');
  assert.deepEqual(back.services, services);
  const bare = buildRegistration(node, view, 60, 3000, { address: undefined, services: [] });
  assert.equal('address' in bare, false);
  assert.equal('services' in bare, false);
});

test('cohort-sim services are deterministic from the index and valid registry records', () => {
  assert.deepEqual(simServices(7, 1), simServices(7, 1));
  assert.equal(simOffer(258, 1).address, '10.0.1.2');
  assert.deepEqual(simServices(1, 1).map((s) => s.name), ['node-exporter', 'postgres']);
  assert.deepEqual(simServices(5, 1).map((s) => s.name), ['http', 'https', 'node-exporter']);
  assert.equal(simServices(50, 1).find((s) => s.name === 'http')?.health, 'critical');
  assert.equal(simServices(20, 1).find((s) => s.name === 'http')?.health, 'warning');
  const node = { identity: 'sim-00001', collectives: ['cohort'], version: '1', startedAt: 1000 };
  for (let i = 1; i <= 100; i++) {
    const r = buildRegistration({ ...node, identity: `sim-${i}` }, { identity: `sim-${i}`, facts: {}, classes: [], agents: [] }, 60, 2000, simOffer(i, 1000));
    assert.doesNotThrow(() => decodeRegistration(encodeRegistryMessage(r)), `sim node ${i}`);
  }
});
