// cohort dns without a network: name parsing, the catalog (verified records,
// health, staleness), answers (each record kind, NXDOMAIN/REFUSED, NODATA,
// FORMERR/NOTIMP, truncation over UDP and full answers over TCP), the
// registry feed over a fake bus (forged records and unsigned deletes
// ignored, a signed deregistration removes) and the rate-limited log.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket, { type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { registeredNode, type BucketEntry, type BucketWatch, type Bus } from '@cohort/client';
import { registryKey, sealRegistration, createSigner, generateKeyPair, issueCertificate, publicKeyHex, type RegistrationMessage } from '@cohort/core';
import { answerQuery, Catalog, classLabel, normaliseDomain, parseListen, parseName, RateLimitedLog, RegistryFeed, type DnsLog, type Transport, type Zone } from '@cohort/dns';
import { registration, service, TestIssuer } from '../harness/signed-registry.ts';

const zone: Zone = { domain: 'cohort', collective: 'dc1' };

describe('parseName', () => {
  test('service, tag, class and node names', () => {
    assert.deepEqual(parseName('redis.service.dc1.cohort', zone), { kind: 'service', service: 'redis', tag: undefined });
    assert.deepEqual(parseName('Primary.REDIS.service.dc1.cohort.', zone), { kind: 'service', service: 'redis', tag: 'primary' });
    assert.deepEqual(parseName('web.class.dc1.cohort', zone), { kind: 'class', label: 'web' });
    assert.deepEqual(parseName('web1.example.net.node.dc1.cohort', zone), { kind: 'node', identity: 'web1.example.net' });
  });
  test('names in the zone that hold nothing, unknown names, names outside', () => {
    for (const n of ['cohort', 'dc1.cohort', 'service.dc1.cohort', 'node.dc1.cohort.']) assert.equal(parseName(n, zone).kind, 'empty', n);
    for (const n of ['x.dc2.cohort', 'a.b.redis.service.dc1.cohort', 'x.y.class.dc1.cohort', 'web.other.dc1.cohort', 'junk.dc1.cohort']) assert.equal(parseName(n, zone).kind, 'unknown', n);
    for (const n of ['example.com', 'cohort.example.com', 'xcohort', '.']) assert.equal(parseName(n, zone).kind, 'outside', n);
  });
  test('a domain with dots', () => {
    const z = { domain: 'sd.example.net', collective: 'dc1' };
    assert.deepEqual(parseName('redis.service.dc1.sd.example.net', z), { kind: 'service', service: 'redis', tag: undefined });
    assert.equal(parseName('redis.service.dc1.example.net', z).kind, 'outside');
  });
  test('normaliseDomain, classLabel and parseListen name what is wrong', () => {
    assert.equal(normaliseDomain('.Cohort.'), 'cohort');
    assert.match((normaliseDomain('bad_domain') as { error: string }).error, /'bad_domain' is not a DNS label/);
    assert.match((normaliseDomain('') as { error: string }).error, /empty/);
    assert.equal(classLabel('Apache::Mod_SSL'), 'apache-mod-ssl');
    assert.deepEqual(parseListen('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
    assert.deepEqual(parseListen('[::1]:53'), { host: '::1', port: 53 });
    assert.match((parseListen('localhost:53') as { error: string }).error, /'localhost' is not an IPv4 or IPv6 address/);
    assert.match((parseListen('127.0.0.1') as { error: string }).error, /not ADDRESS:PORT/);
    assert.match((parseListen('127.0.0.1:70000') as { error: string }).error, /port 70000/);
  });
});

function node(record: RegistrationMessage, updatedAt = Date.now()) {
  return registeredNode(record, updatedAt, true);
}

function catalogOf(...records: RegistrationMessage[]): Catalog {
  const c = new Catalog(zone);
  for (const r of records) c.set(node(r), Date.now());
  return c;
}

const fleet = () =>
  catalogOf(
    registration('web1', { address: '10.0.0.1', classes: ['web', 'Apache::Mod'], services: [service('http', 80, ['frontend']), service('redis', 6379, ['primary'])] }),
    registration('web2', { address: '10.0.0.2', classes: ['web'], services: [service('http', 8080, ['backend'], 'warning')] }),
    registration('web3', { address: 'fd00::3', classes: ['web'], services: [service('http', 80, ['frontend'])] }),
    registration('db1', { address: '10.0.0.9', classes: ['db'], services: [service('redis', 6380, [], 'critical'), service('pg', 5432, [], 'unknown')] }),
    registration('noaddr', { classes: ['web'], services: [service('http', 80)] }),
  );

function ask(catalog: Catalog, name: string, type: string, o: { transport?: Transport; edns?: number; id?: number } = {}) {
  const query: Packet = {
    type: 'query',
    id: o.id ?? 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: type as never, name, class: 'IN' }],
    ...(o.edns !== undefined ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: o.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] } : {}),
  };
  return answerRaw(catalog, dnsPacket.encode(query), o.transport);
}

function answerRaw(catalog: Catalog, bytes: Buffer, transport: Transport = 'udp') {
  const reply = answerQuery(bytes, catalog, { zone, ttl: 7 }, transport);
  const decoded = reply.response ? (dnsPacket.decode(reply.response) as DecodedPacket & { rcode: string }) : undefined;
  return { reply, packet: decoded, data: (decoded?.answers ?? []).map((a: Answer) => ('data' in a ? a.data : undefined)) };
}

describe('Catalog', () => {
  test('files nodes with an address under their offered services, tags and classes', () => {
    const c = fleet();
    assert.equal(c.size, 4, 'noaddr has no address: not answerable');
    assert.deepEqual(c.service('http')?.map((h) => h.identity).sort(), ['web1', 'web2', 'web3']);
    assert.deepEqual(c.service('http', 'frontend')?.map((h) => h.identity).sort(), ['web1', 'web3']);
    assert.deepEqual(c.service('redis')?.map((h) => `${h.identity}:${h.port}`), ['web1:6379'], 'db1 is critical');
    assert.equal(c.service('pg'), undefined, 'unknown health is not offered');
    assert.deepEqual(c.withClass('apache-mod')?.map((h) => h.identity), ['web1']);
    assert.equal(c.node('db1')?.address, '10.0.0.9');
  });
  test('a new record re-files the node: a service turned critical leaves, a removed node leaves everything', () => {
    const c = fleet();
    c.set(node(registration('web1', { address: '10.0.0.1', classes: ['web'], services: [service('http', 80, ['frontend'], 'critical')] })), Date.now());
    assert.deepEqual(c.service('http')?.map((h) => h.identity).sort(), ['web2', 'web3']);
    assert.equal(c.service('redis'), undefined);
    assert.equal(c.withClass('apache-mod'), undefined);
    c.remove('WEB2');
    assert.deepEqual(c.service('http')?.map((h) => h.identity), ['web3']);
    assert.equal(c.node('web2'), undefined);
  });
  test('sweep drops nodes whose record is older than their interval plus grace; stale records are not filed', () => {
    const now = Date.now();
    const c = new Catalog(zone);
    c.set(node(registration('old', { address: '10.0.0.5', interval: 10 }), now - 35_000), now);
    c.set(node(registration('fresh', { address: '10.0.0.6', interval: 60 }), now - 35_000), now);
    c.set(node(registration('dead', { address: '10.0.0.7', interval: 10 }), now - 60_000), now);
    assert.equal(c.node('dead'), undefined);
    assert.deepEqual(c.sweep(now + 6_000), ['old']);
    assert.equal(c.node('fresh')?.address, '10.0.0.6');
    // The bucket's max age, when smaller, decides (the server expires records without a delete).
    c.maxAgeMs = 20_000;
    assert.deepEqual(c.sweep(now + 6_000), ['fresh']);
  });
});

describe('answerQuery', () => {
  test('A and AAAA of a service, authoritative, with the TTL and the query id', () => {
    const { packet, data } = ask(fleet(), 'http.service.dc1.cohort', 'A');
    assert.equal(packet?.rcode, 'NOERROR');
    assert.equal(packet?.id, 4242);
    assert.ok(packet?.flag_aa && packet.flag_rd && !packet.flag_tc);
    assert.deepEqual([...data].sort(), ['10.0.0.1', '10.0.0.2']);
    assert.ok(packet?.answers?.every((a) => a.type === 'A' && 'ttl' in a && a.ttl === 7));
    assert.deepEqual(ask(fleet(), 'http.service.dc1.cohort', 'AAAA').data, ['fd00::3']);
    assert.equal(ask(fleet(), 'http.service.dc1.cohort', 'ANY').data.length, 3);
  });
  test('SRV: ports and node names, with the addresses as additional records', () => {
    const { packet } = ask(fleet(), 'http.service.dc1.cohort', 'SRV');
    const srv = (packet?.answers ?? []).map((a) => (a.type === 'SRV' ? `${a.data.target}:${a.data.port}` : a.type)).sort();
    assert.deepEqual(srv, ['web1.node.dc1.cohort:80', 'web2.node.dc1.cohort:8080', 'web3.node.dc1.cohort:80']);
    const extra = (packet?.additionals ?? []).map((a) => `${a.name} ${a.type} ${'data' in a ? String(a.data) : ''}`).sort();
    assert.deepEqual(extra, ['web1.node.dc1.cohort A 10.0.0.1', 'web2.node.dc1.cohort A 10.0.0.2', 'web3.node.dc1.cohort AAAA fd00::3']);
  });
  test('tags narrow, classes and nodes answer', () => {
    assert.deepEqual(ask(fleet(), 'backend.http.service.dc1.cohort', 'A').data, ['10.0.0.2']);
    assert.deepEqual(ask(fleet(), 'primary.redis.service.dc1.cohort', 'A').data, ['10.0.0.1']);
    assert.deepEqual([...ask(fleet(), 'web.class.dc1.cohort', 'A').data].sort(), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(ask(fleet(), 'DB1.node.dc1.cohort', 'A').data, ['10.0.0.9']);
    assert.deepEqual(ask(fleet(), 'web3.node.dc1.cohort', 'AAAA').data, ['fd00::3']);
  });
  test('NXDOMAIN for unknown names (with the SOA), REFUSED outside the domain, NODATA for other types', () => {
    for (const name of ['nope.service.dc1.cohort', 'nope.http.service.dc1.cohort', 'nope.node.dc1.cohort', 'nope.class.dc1.cohort', 'redis.service.dc2.cohort', 'pg.service.dc1.cohort']) {
      const { packet } = ask(fleet(), name, 'A');
      assert.equal(packet?.rcode, 'NXDOMAIN', name);
      assert.equal(packet?.authorities?.[0]?.type, 'SOA', name);
    }
    const refused = ask(fleet(), 'www.example.com', 'A').packet;
    assert.equal(refused?.rcode, 'REFUSED');
    assert.equal(refused?.flag_aa, false);
    const nodata = ask(fleet(), 'http.service.dc1.cohort', 'TXT');
    assert.equal(nodata.packet?.rcode, 'NOERROR');
    assert.equal(nodata.packet?.answers?.length, 0);
    assert.equal(ask(fleet(), 'web.class.dc1.cohort', 'SRV').packet?.answers?.length, 0);
    assert.equal(ask(fleet(), 'dc1.cohort', 'A').packet?.rcode, 'NOERROR');
  });
  test('random order', () => {
    const c = new Catalog(zone);
    for (let i = 1; i <= 8; i++) c.set(node(registration(`n${i}`, { address: `10.0.1.${i}`, services: [service('s', 1)] })), Date.now());
    const orders = new Set<string>();
    for (let i = 0; i < 30; i++) orders.add(ask(c, 's.service.dc1.cohort', 'A').data.join(','));
    assert.ok(orders.size > 1, 'answers come in more than one order');
  });
  test('truncation: UDP answers fit 512 bytes (or the EDNS size) with TC set; TCP gets every record', () => {
    const c = new Catalog(zone);
    for (let i = 1; i <= 100; i++) c.set(node(registration(`node${i}`, { address: `10.1.0.${i}`, services: [service('big', 1)] })), Date.now());
    const udp = ask(c, 'big.service.dc1.cohort', 'A');
    assert.ok(udp.packet?.flag_tc, 'TC set');
    assert.ok(udp.reply.response!.length <= 512);
    assert.ok(udp.data.length > 5 && udp.data.length < 100);
    const edns = ask(c, 'big.service.dc1.cohort', 'A', { edns: 1232 });
    assert.ok(edns.packet?.flag_tc && edns.reply.response!.length <= 1232 && edns.data.length > udp.data.length);
    assert.equal(edns.packet?.additionals?.[0]?.type, 'OPT', 'EDNS answered with EDNS');
    const tcp = ask(c, 'big.service.dc1.cohort', 'A', { transport: 'tcp' });
    assert.equal(tcp.packet?.flag_tc, false);
    assert.equal(new Set(tcp.data).size, 100);
    const srv = ask(c, 'big.service.dc1.cohort', 'SRV');
    assert.ok(srv.packet?.flag_tc && srv.reply.response!.length <= 512);
    assert.equal(srv.packet?.answers?.length, srv.packet?.additionals?.length, 'every SRV comes with its address');
  });
  test('bad queries: FORMERR, NOTIMP, dropped; never a throw', () => {
    const c = fleet();
    assert.equal(answerRaw(c, Buffer.from([1, 2, 3])).reply.response, undefined);
    const garbage = answerRaw(c, Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
    assert.equal(garbage.packet?.rcode, 'FORMERR');
    assert.equal(garbage.packet?.id, 0x1234);
    assert.match(garbage.reply.problem ?? '', /malformed query/);
    const two = dnsPacket.encode({ type: 'query', id: 9, questions: [{ type: 'A', name: 'a.node.dc1.cohort' }, { type: 'A', name: 'b.node.dc1.cohort' }] });
    assert.match(answerRaw(c, two).reply.problem ?? '', /exactly one question \(it has 2\)/);
    assert.equal(answerRaw(c, two).packet?.rcode, 'FORMERR');
    const none = dnsPacket.encode({ type: 'query', id: 9, questions: [] });
    assert.equal(answerRaw(c, none).packet?.rcode, 'FORMERR');
    const update = dnsPacket.encode({ type: 'query', id: 9, flags: 5 << 11, questions: [{ type: 'SOA', name: 'cohort' }] });
    assert.equal(answerRaw(c, update).packet?.rcode, 'NOTIMP');
    assert.equal(ask(c, 'cohort', 'AXFR', { transport: 'tcp' }).packet?.rcode, 'NOTIMP');
    const chaos = dnsPacket.encode({ type: 'query', id: 9, questions: [{ type: 'TXT', name: 'version.bind', class: 'CH' }] });
    assert.equal(answerRaw(c, chaos).packet?.rcode, 'NOTIMP');
    const response = dnsPacket.encode({ type: 'response', id: 9, questions: [{ type: 'A', name: 'x.cohort' }] });
    assert.equal(answerRaw(c, response).reply.response, undefined, 'responses are not answered (no loops)');
  });
});

/** A bus that only has a registry watch: the test delivers entries by hand. */
function watchingBus() {
  let deliver: ((e: BucketEntry) => void) | undefined;
  const bus = {
    watchBucket: async (_name: string, onEntry: (e: BucketEntry) => void): Promise<BucketWatch> => {
      deliver = onEntry;
      return { maxAgeMs: 0, stop: async () => undefined };
    },
  } as unknown as Bus;
  const put = (identity: string, value: Uint8Array, operation: BucketEntry['operation'] = 'PUT') => deliver!({ key: registryKey(identity), value, operation, created: Date.now() });
  return { bus, put };
}

const quiet: DnsLog & { lines: string[] } = { lines: [], info() {}, debug() {}, warn(m) { this.lines.push(m); } };

describe('RegistryFeed', () => {
  test('only verified records reach the catalog; a signed deregistration removes a node, an unsigned delete does not', async () => {
    const issuer = new TestIssuer();
    const { bus, put } = watchingBus();
    const catalog = new Catalog(zone);
    const feed = new RegistryFeed({ bus, collective: 'dc1', trust: issuer.trust(), catalog, log: quiet });
    await feed.start();
    try {
      put('web1', issuer.seal(registration('web1', { address: '10.0.0.1', services: [service('http', 80)] })));
      assert.deepEqual(catalog.service('http')?.map((h) => h.address), ['10.0.0.1']);
      // A bus user without web1's key cannot add an address to a service.
      const rogue = generateKeyPair();
      const forger = createSigner(rogue.privateKey, 'evil', issueCertificate(generateKeyPair().privateKey, { kind: 'node', subject: 'evil', publicKey: publicKeyHex(rogue.publicKey) }));
      put('evil', sealRegistration(registration('evil', { address: '6.6.6.6', services: [service('http', 80)] }), forger));
      put('web1', sealRegistration(registration('web1', { address: '6.6.6.6', services: [service('http', 80)] }), forger));
      assert.deepEqual(catalog.service('http')?.map((h) => h.address), ['10.0.0.1']);
      assert.ok(quiet.lines.some((l) => /registry entry of evil ignored/.test(l)));
      put('web1', new Uint8Array(), 'DEL');
      assert.equal(catalog.node('web1')?.address, '10.0.0.1', 'an unsigned delete is tampering: ignored');
      put('web1', issuer.seal(registration('web1', { address: '10.0.0.1', services: [service('http', 80, [], 'critical')] })));
      assert.equal(catalog.service('http'), undefined, 'critical: no longer offered');
      put('web1', issuer.deregistration('web1'));
      assert.equal(catalog.node('web1'), undefined, 'a clean shutdown removes the node');
    } finally {
      await feed.stop();
    }
  });
});

describe('RateLimitedLog', () => {
  test('logs at most perWindow lines per window, then says how many it left out', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RateLimitedLog({ info() {}, debug() {}, warn: (m) => lines.push(m) }, { perWindow: 2, windowMs: 1000, now: () => now });
    for (let i = 0; i < 5; i++) log.warn(`bad ${i}`);
    assert.deepEqual(lines, ['bad 0', 'bad 1']);
    now = 1500;
    log.warn('bad 5');
    assert.deepEqual(lines, ['bad 0', 'bad 1', '3 more bad queries not logged in the last 1 s', 'bad 5']);
  });
});
