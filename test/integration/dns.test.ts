// `cohort dns` for real: a private JetStream nats-server whose registry
// bucket the test fills with signed records (node keys certified by a
// throwaway issuer, the `address` and `services` fields exactly as issue 18's
// contract says), `cohort dns` as a process, and the real `dig` (Debian
// dnsutils) asking it over UDP and TCP. Shows each record kind, tags,
// NXDOMAIN/REFUSED, truncation and the TCP fallback, a node that
// deregisters and a service that turns critical leaving the answers, a
// forged record never answered, and bad packets not stopping the server.
// Then over two real cohortd nodes publishing a service with a TCP health
// probe: SRV/A answers from their own signed records, the service leaving
// when its probe fails, a SIGKILLed node leaving within the registry's max
// age.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type KV, type NatsConnection } from 'nats';
import { createSigner, generateKeyPair, issueCertificate, publicKeyHex, registryBucket, registryKey, sealRegistration, type RegistrationMessage } from '@cohort/core';
import { createServer, type Server } from 'node:net';
import { cohort, cohortBin, freePort, startFleet, startNatsServer, type Fleet, type NatsServer, until as waitUntil } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';
import { registration, service, TestIssuer } from '../harness/signed-registry.ts';

const dig = '/usr/bin/dig';
const skip = existsSync(dig) ? false : `needs ${dig} (Debian package dnsutils)`;
const collective = 'dc1';

/** Wait until `fn` is true (polled); the message says what did not happen. */
function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 20_000, log?: () => string): Promise<void> {
  return waitUntil(what, fn, { timeoutMs, everyMs: 100, logName: 'cohort dns log', ...(log ? { log } : {}) });
}

describe('cohort dns answers from the verified registry (real dig)', { skip }, () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let kv: KV;
  let dns: ChildProcess;
  let port: number;
  let log = '';
  const dir = mkdtempSync(join(tmpdir(), 'cohort-dns-it-'));
  const issuer = new TestIssuer(dir);
  // A client config with no trust of its own: --issuer is the only one.
  const clientConfig = join(dir, 'client.yaml');
  writeFileSync(clientConfig, 'collective: cohort\n');

  const put = async (r: RegistrationMessage) => void (await kv.put(registryKey(r.identity), issuer.seal(r)));

  async function digRun(args: string[]): Promise<string> {
    return new Promise((resolve, reject) =>
      execFile(dig, ['-p', String(port), '@127.0.0.1', '+time=2', '+tries=1', ...args], (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout))),
    );
  }
  /** `dig +short`: the answer's data, sorted. */
  const short = async (...args: string[]) => (await digRun(['+short', ...args])).split('\n').filter((l) => l !== '').sort();
  const status = async (...args: string[]) => /status: (\w+)/.exec(await digRun(args))?.[1];

  before(async () => {
    if (skip) return;
    nats = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: nats.url });
    kv = await nc.jetstream().views.kv(registryBucket(collective), { history: 1 });
    await put(registration('web1.example.net', { collective, address: '10.0.0.1', classes: ['web', 'apache::mod'], services: [service('http', 80, ['frontend']), service('redis', 6379, ['primary'])] }));
    await put(registration('web2.example.net', { collective, address: '10.0.0.2', classes: ['web'], services: [service('http', 8080, ['backend'], 'warning')] }));
    await put(registration('web3.example.net', { collective, address: 'fd00::3', classes: ['web'], services: [service('http', 80, ['frontend'])] }));
    await put(registration('db1.example.net', { collective, address: '10.0.0.9', classes: ['db'], services: [service('redis', 6380, [], 'critical')] }));
    for (let i = 1; i <= 60; i++) await put(registration(`big${i}`, { collective, address: `10.2.0.${i}`, services: [service('big', 9000 + i)] }));
    // A bus user with no certified key of web1's adds an address: never answered.
    const rogue = generateKeyPair();
    const forger = createSigner(rogue.privateKey, 'evil', issueCertificate(generateKeyPair().privateKey, { kind: 'node', subject: 'evil', publicKey: publicKeyHex(rogue.publicKey) }));
    await kv.put(registryKey('evil'), sealRegistration(registration('evil', { collective, address: '6.6.6.6', services: [service('http', 80)] }), forger));
    port = await freePort();
    dns = spawn(process.execPath, [cohortBin, 'dns', '--listen', `127.0.0.1:${port}`, '--domain', 'cohort', '-T', collective, '--ttl', '3', '--issuer', issuer.publicFile, '--nats', nats.url, '--log-level', 'debug'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', COHORT_CONFIG: clientConfig },
    });
    dns.stderr!.on('data', (d: Buffer) => (log += d));
    await until('cohort dns to answer', () => /answering \*\.dc1\.cohort/.test(log), 20_000, () => log);
  });

  after(async () => {
    if (skip) return;
    if (dns && dns.exitCode === null) {
      const done = new Promise((r) => dns.once('exit', r));
      dns.kill('SIGTERM');
      await done;
    }
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('service A and AAAA: the nodes offering it (passing or warning), with the TTL', async () => {
    assert.deepEqual(await short('http.service.dc1.cohort', 'A'), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(await short('http.service.dc1.cohort', 'AAAA'), ['fd00::3']);
    assert.deepEqual(await short('redis.service.dc1.cohort'), ['10.0.0.1'], 'db1 is critical');
    assert.match(await digRun(['+noall', '+answer', 'http.service.dc1.cohort']), /\s3\s+IN\s+A\s+10\.0\.0\.\d/);
  });

  test('SRV: ports and node names, addresses in the additional section', async () => {
    assert.deepEqual(await short('http.service.dc1.cohort', 'SRV'), ['1 1 80 web1.example.net.node.dc1.cohort.', '1 1 80 web3.example.net.node.dc1.cohort.', '1 1 8080 web2.example.net.node.dc1.cohort.']);
    const extra = await digRun(['+noall', '+additional', 'http.service.dc1.cohort', 'SRV']);
    assert.match(extra, /web1\.example\.net\.node\.dc1\.cohort\.\s+3\s+IN\s+A\s+10\.0\.0\.1/);
    assert.match(extra, /web3\.example\.net\.node\.dc1\.cohort\.\s+3\s+IN\s+AAAA\s+fd00::3/);
  });

  test('tags, classes and nodes', async () => {
    assert.deepEqual(await short('frontend.http.service.dc1.cohort'), ['10.0.0.1']);
    assert.deepEqual(await short('backend.http.service.dc1.cohort', 'SRV'), ['1 1 8080 web2.example.net.node.dc1.cohort.']);
    assert.deepEqual(await short('primary.redis.service.dc1.cohort'), ['10.0.0.1']);
    assert.deepEqual(await short('web.class.dc1.cohort'), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(await short('apache-mod.class.dc1.cohort'), ['10.0.0.1']);
    assert.deepEqual(await short('db1.example.net.node.dc1.cohort'), ['10.0.0.9']);
    assert.deepEqual(await short('WEB3.Example.NET.node.dc1.cohort', 'AAAA'), ['fd00::3']);
  });

  test('NXDOMAIN for unknown names, REFUSED outside the domain; a forged record is never answered', async () => {
    assert.equal(await status('nosuch.service.dc1.cohort'), 'NXDOMAIN');
    assert.equal(await status('nosuch.http.service.dc1.cohort'), 'NXDOMAIN');
    assert.equal(await status('evil.node.dc1.cohort'), 'NXDOMAIN');
    assert.equal(await status('http.service.dc2.cohort'), 'NXDOMAIN');
    assert.equal(await status('www.example.com'), 'REFUSED');
    assert.ok(!(await short('http.service.dc1.cohort')).includes('6.6.6.6'));
    assert.match(log, /registry entry of evil ignored/);
  });

  test('a large answer is truncated over UDP (TC) and complete over TCP', async () => {
    const udp = await digRun(['+notcp', '+ignore', '+noedns', 'big.service.dc1.cohort']);
    assert.match(udp, /flags: [^;]*\btc\b/);
    const udpCount = (udp.match(/\sIN\s+A\s/g) ?? []).length;
    assert.ok(udpCount > 0 && udpCount < 60, `${udpCount} A records in 512 bytes`);
    const tcp = await short('+tcp', 'big.service.dc1.cohort');
    assert.equal(tcp.length, 60);
    assert.equal((await short('big.service.dc1.cohort')).length, 60, 'dig retries a truncated answer over TCP by itself');
    assert.equal((await short('+tcp', 'big.service.dc1.cohort', 'SRV')).length, 60);
  });

  test('a service turned critical leaves; a node that deregisters leaves; both come back', async () => {
    await put(registration('web1.example.net', { collective, address: '10.0.0.1', classes: ['web'], services: [service('http', 80, ['frontend'], 'critical'), service('redis', 6379, ['primary'])] }));
    await until('web1 to leave http', async () => !(await short('http.service.dc1.cohort')).includes('10.0.0.1'));
    assert.deepEqual(await short('redis.service.dc1.cohort'), ['10.0.0.1'], 'its other service stays');
    await kv.put(registryKey('web2.example.net'), issuer.deregistration('web2.example.net'));
    await until('web2 to leave', async () => (await status('web2.example.net.node.dc1.cohort')) === 'NXDOMAIN');
    assert.equal(await status('http.service.dc1.cohort', 'A'), 'NOERROR', 'http still exists (web3, AAAA)');
    assert.deepEqual(await short('http.service.dc1.cohort', 'A'), []);
    assert.deepEqual(await short('web.class.dc1.cohort'), ['10.0.0.1']);
    await put(registration('web2.example.net', { collective, address: '10.0.0.2', classes: ['web'], services: [service('http', 8080, ['backend'])] }));
    await until('web2 to come back', async () => (await short('http.service.dc1.cohort')).includes('10.0.0.2'));
  });

  test('bad packets get FORMERR or nothing, and the server keeps answering', async () => {
    const sock = createSocket('udp4');
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, port, '127.0.0.1', () => r()));
    await send(Buffer.from([1, 2, 3]));
    await send(Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
    await until('the FORMERR answer', () => replies.length >= 1);
    sock.close();
    assert.equal(replies[0]!.readUInt16BE(0), 0xabcd);
    assert.equal(replies[0]!.readUInt16BE(2) & 0xf, 1, 'FORMERR');
    assert.equal(await status('-c', 'CH', 'version.bind', 'TXT'), 'NOTIMP');
    assert.deepEqual(await short('db1.example.net.node.dc1.cohort'), ['10.0.0.9']);
    assert.match(log, /bad query from 127\.0\.0\.1 over UDP: malformed query/);
  });

  test('bad arguments exit 2 naming the problem', async () => {
    const noTrust = await cohort(['dns', '--listen', '127.0.0.1:0', '--nats', nats.url], { env: { COHORT_CONFIG: clientConfig } });
    assert.equal(noTrust.code, 2);
    assert.match(noTrust.stderr, /only from signed registry records: give the issuer/);
    const badListen = await cohort(['dns', '--listen', 'localhost:53', '--issuer', issuer.publicFile], { env: { COHORT_CONFIG: clientConfig } });
    assert.equal(badListen.code, 2);
    assert.match(badListen.stderr, /'localhost' is not an IPv4 or IPv6 address/);
    const badDomain = await cohort(['dns', '--listen', '127.0.0.1:0', '--domain', 'a_b', '--issuer', issuer.publicFile], { env: { COHORT_CONFIG: clientConfig } });
    assert.equal(badDomain.code, 2);
    assert.match(badDomain.stderr, /--domain: domain 'a_b'/);
  });
});

describe('cohort dns over real cohortd nodes (services from their own signed records)', { skip }, () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let dns: ChildProcess;
  let probe: Server;
  let probePort: number;
  let port: number;
  let log = '';
  const dir = mkdtempSync(join(tmpdir(), 'cohort-dns-fleet-'));
  const digRun = (args: string[]) =>
    new Promise<string>((resolve, reject) => execFile(dig, ['-p', String(port), '@127.0.0.1', '+time=2', '+tries=1', ...args], (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout))));
  const short = async (...args: string[]) => (await digRun(['+short', ...args])).split('\n').filter((l) => l !== '').sort();
  const listen = (p: number) => new Promise<Server>((resolve) => { const srv = createServer((c) => c.destroy()); srv.listen(p, '127.0.0.1', () => resolve(srv)); });

  before(async () => {
    if (skip) return;
    probePort = await freePort();
    probe = await listen(probePort);
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      nodes: [{ identity: 'app1', facts: {}, classes: ['app'] }, { identity: 'app2', facts: {}, classes: ['app'] }],
      registry: true,
      dir: join(dir, 'fleet'),
      config: {
        // A short registry max age: a node that stops refreshing its record leaves within the test.
        registration: { interval: 2, ttl: 10 },
        services: { api: { port: 8443, tags: ['blue'], health: { tcp: `127.0.0.1:${probePort}`, interval: '1s', timeout: '500ms' } } },
        advertise_address: '127.0.0.7',
      },
    });
    port = await freePort();
    const clientConfig = join(dir, 'client.yaml');
    writeFileSync(clientConfig, 'collective: cohort\n');
    dns = spawn(process.execPath, [cohortBin, 'dns', '--listen', `127.0.0.1:${port}`, '--ttl', '1', '--issuer', fleet.issuer!, '--nats', nats.url], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', COHORT_CONFIG: clientConfig },
    });
    dns.stderr!.on('data', (d: Buffer) => (log += d));
    await until('cohort dns to answer', () => /answering \*\.cohort\.cohort/.test(log), 20_000, () => log);
  });

  after(async () => {
    if (skip) return;
    if (dns && dns.exitCode === null) {
      const done = new Promise((r) => dns.once('exit', r));
      dns.kill('SIGTERM');
      await done;
    }
    probe?.close();
    await fleet?.stop();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the nodes offering the service, by SRV (their names and port), A (advertise_address), tag, class and node', async () => {
    const both = ['1 1 8443 app1.node.cohort.cohort.', '1 1 8443 app2.node.cohort.cohort.'];
    await until('both nodes in the SRV answer', async () => JSON.stringify(await short('api.service.cohort.cohort', 'SRV')) === JSON.stringify(both), 30_000, () => log);
    assert.deepEqual(await short('blue.api.service.cohort.cohort', 'SRV'), both);
    assert.deepEqual(await short('api.service.cohort.cohort'), ['127.0.0.7', '127.0.0.7']);
    assert.deepEqual(await short('app.class.cohort.cohort'), ['127.0.0.7', '127.0.0.7']);
    assert.deepEqual(await short('app1.node.cohort.cohort'), ['127.0.0.7']);
  });

  test('the health probe fails: the service leaves the answers; it passes again: it is back', async () => {
    await new Promise<void>((r) => probe.close(() => r()));
    await until('api to leave', async () => /status: NXDOMAIN/.test(await digRun(['api.service.cohort.cohort', 'SRV'])), 30_000, () => log);
    assert.deepEqual(await short('app1.node.cohort.cohort'), ['127.0.0.7'], 'the node itself is still there');
    probe = await listen(probePort);
    await until('api to come back', async () => (await short('api.service.cohort.cohort', 'SRV')).length === 2, 30_000, () => log);
  });

  test('a SIGKILLed node leaves within the registry max age', async () => {
    await fleet.kill('app2', 'SIGKILL');
    await until('app2 to leave', async () => (await short('api.service.cohort.cohort', 'SRV')).join() === '1 1 8443 app1.node.cohort.cohort.', 30_000, () => log);
    assert.match(await digRun(['app2.node.cohort.cohort']), /status: NXDOMAIN/);
  });
});
