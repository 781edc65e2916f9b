// Signed registry records, tombstones and lifecycle events: what the node
// writes, what a verifying reader keeps, and what it ignores (forged records,
// ghosts, unsigned deletes). Also signed job replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  emptyFilter,
  encode,
  encodeRegistryMessage,
  generateKeyPair,
  issueCertificate,
  ProtocolTag,
  publicKeyHex,
  publicKeyPem,
  readLifecycle,
  readRegistryEntry,
  RegistryTag,
  sealDeregistration,
  sealRegistration,
  sealReply,
  TrustStore,
  type RegistrationMessage,
  type ReplyMessage,
} from '@cohort/core';
import { silentLogger } from '@cohort/core/log';
import { decideDiscovery, RegistryView, unverifiable } from '@cohort/client';
import { Registrar, type RegistryBucket } from '@cohort/server';
import { JobReplies, type JobRecord } from '../../packages/client/src/jobs/index.ts';

const issuer = generateKeyPair();
const issuerFile = join(mkdtempSync(join(tmpdir(), 'cohort-issuer-')), 'issuer.pub');
writeFileSync(issuerFile, publicKeyPem(issuer.publicKey));
const trust = TrustStore.load({ kind: 'node', issuers: [issuerFile] });
function nodeSigner(identity: string, by = issuer) {
  const pair = generateKeyPair();
  return createSigner(pair.privateKey, identity, issueCertificate(by.privateKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.publicKey) }));
}
const web1 = nodeSigner('web1');
const web2 = nodeSigner('web2');
const rogue = nodeSigner('web1', generateKeyPair());

function record(identity: string, agents = ['rpcutil'], time = Date.now()): RegistrationMessage {
  return { protocol: RegistryTag.Registration, identity, collectives: ['cohort'], facts: { role: 'web' }, classes: [], agents, version: '1', started_at: 1, time, interval: 60 };
}

/** A registrar over an in-memory bucket whose watchKey reports every write, like the KV subject subscription. */
function registrar(signer = web1) {
  const values = new Map<string, Uint8Array>();
  const watchers = new Map<string, (v: Uint8Array | undefined) => void>();
  const warnings: string[] = [];
  const events: Array<[string, Uint8Array]> = [];
  const bucket: RegistryBucket = {
    put: async (k, v) => {
      values.set(k, v);
      watchers.get(k)?.(v);
    },
    delete: async (k) => {
      values.delete(k);
      watchers.get(k)?.(undefined);
    },
    watchKey: (k, on) => {
      watchers.set(k, on);
      return () => watchers.delete(k);
    },
  };
  const log = silentLogger();
  log.warn = ((m: string) => (warnings.push(m), log)) as typeof log.warn;
  const r = new Registrar({
    node: { identity: signer.subject, collectives: ['cohort'], version: '1', startedAt: 1 },
    view: () => ({ identity: signer.subject, facts: {}, classes: [], agents: ['rpcutil'] }),
    intervalSeconds: 60,
    ttlSeconds: 180,
    openBucket: async () => bucket,
    publish: (s, b) => void events.push([s, b]),
    log,
    splay: false,
    signer,
  });
  return { r, values, bucket, warnings, events };
}

test('a node with a key writes a signed record and signed events; its clean shutdown leaves a signed tombstone', async () => {
  const { r, values, events } = registrar();
  await r.start();
  const entry = readRegistryEntry(values.get('web1')!, 'web1', trust, Date.now());
  assert.equal(entry.kind, 'record');
  assert.ok(entry.kind === 'record' && entry.verified);
  const startup = readLifecycle(events[0]![1], 'web1', trust, Date.now());
  assert.ok('event' in startup && startup.verified && startup.event.event === 'startup');
  // The same signed record under another key is not that node's.
  assert.match(String((readRegistryEntry(values.get('web1')!, 'web2', trust, Date.now()) as { reason?: string }).reason), /web1.*web2|web2.*web1/);
  await r.stop();
  assert.equal(readRegistryEntry(values.get('web1')!, 'web1', trust, Date.now()).kind, 'gone');
  const shutdown = readLifecycle(events.at(-1)![1], 'web1', trust, Date.now());
  assert.ok('event' in shutdown && shutdown.event.event === 'shutdown');
});

test('a node whose record is overwritten or deleted by someone else writes it again', async () => {
  const { r, values, bucket, warnings } = registrar();
  await r.start();
  const mine = values.get('web1')!;
  await bucket.put('web1', encodeRegistryMessage(record('web1', ['ca'])));
  await waitUntil(() => warnings.some((w) => /replaced by someone else/.test(w)) && readRegistryEntry(values.get('web1')!, 'web1', trust, Date.now()).kind === 'record');
  await bucket.delete('web1');
  await waitUntil(() => warnings.some((w) => /deleted by someone else/.test(w)) && values.has('web1'));
  assert.equal(readRegistryEntry(values.get('web1')!, 'web1', trust, Date.now()).kind, 'record');
  assert.notEqual(values.get('web1'), mine);
  await r.stop();
});

test('someone rewriting a node\'s record in a loop gets it rewritten, but does not flood the node\'s log', async () => {
  const { r, values, bucket, warnings } = registrar();
  await r.start();
  for (let i = 0; i < 50; i++) await bucket.put('web1', encodeRegistryMessage(record('web1', [`agent${i}`])));
  await waitUntil(() => readRegistryEntry(values.get('web1')!, 'web1', trust, Date.now()).kind === 'record');
  assert.equal(warnings.filter((w) => /replaced by someone else/.test(w)).length, 1, warnings.join('\n'));
  await r.stop();
});

async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((res) => setTimeout(res, 20));
  }
}

const put = (key: string, value: Uint8Array, created = Date.now()) => ({ key, value, operation: 'PUT' as const, created });
const signed = (s: typeof web1, agents?: string[]) => sealRegistration(record(s.subject, agents), s);

test('a verifying view ignores ghosts and forgeries, keeps the last verified record over overwrites and unsigned deletes', () => {
  const view = new RegistryView('cohort_registry_cohort', trust);
  view.maxAgeMs = 180_000;
  const now = Date.now();
  view.apply(put('web1', signed(web1)));
  view.apply(put('web2', signed(web2)));
  // A ghost: unsigned, and one signed by a key from another issuer.
  view.apply(put('ghost', encodeRegistryMessage(record('ghost', ['ca']))));
  view.apply(put('ghost2', sealRegistration(record('ghost2'), createSigner(generateKeyPair().privateKey, 'ghost2'))));
  // web1 overwritten with a fake record naming the CA agent; web2 deleted.
  view.apply(put('web1', sealRegistration(record('web1', ['ca']), rogue)));
  view.apply({ key: 'web2', value: new Uint8Array(), operation: 'DEL', created: now });
  assert.deepEqual(view.nodes(now).map((n) => [n.identity, n.record.agents.join(), n.verified]), [['web1', 'rpcutil', true], ['web2', 'rpcutil', true]]);
  assert.deepEqual(view.ignored(now).map((i) => i.identity), ['ghost', 'ghost2', 'web1', 'web2']);
  assert.match(view.ignored(now).find((i) => i.identity === 'web2')!.reason, /deleted without the node's signature/);
  assert.deepEqual(view.unaccounted(now).map((i) => i.identity), ['ghost', 'ghost2']);
  // Discovery does not trust an incomplete registry in auto mode; --dm registry uses the verified records.
  const state = { kind: 'loaded' as const, nodes: view.nodes(now), now, unaccounted: view.unaccounted(now) };
  const auto = decideDiscovery('auto', state, emptyFilter());
  assert.equal(auto.method, 'broadcast');
  assert.match(auto.note, /registry may be incomplete: 2 registry record\(s\) ignored \(ghost: unsigned record/);
  const reg = decideDiscovery('registry', state, emptyFilter());
  assert.ok(reg.method === 'registry' && reg.identities.join() === 'web1,web2');
  // Only the node's signed tombstone removes it.
  view.apply(put('web2', sealDeregistration({ identity: 'web2', started_at: 1 }, web2, now)));
  assert.deepEqual(view.nodes(now).map((n) => n.identity), ['web1']);
  // Ignored entries expire like records.
  assert.deepEqual(view.unaccounted(now + 200_000), []);
});

test('receive() (signatures checked in the thread pool) reaches exactly what apply() does, applying entries in arrival order', async () => {
  const now = Date.now();
  const entries = [
    put('web1', signed(web1)),
    put('web2', signed(web2)),
    put('ghost', encodeRegistryMessage(record('ghost', ['ca']))),
    put('ghost2', sealRegistration(record('ghost2'), createSigner(generateKeyPair().privateKey, 'ghost2'))),
    put('web1', sealRegistration(record('web1', ['ca']), rogue)),
    put('web3', sealRegistration(record('web3', ['rpcutil'], now - 600_000), nodeSigner('web3'))),
    put('web4', new TextEncoder().encode('{"protocol":"cohort:signed-data:1","data":')),
    // web2: a newer record, then its tombstone, then an unsigned delete: order decides what is left.
    put('web2', signed(web2, ['puppetral'])),
    put('web2', sealDeregistration({ identity: 'web2', started_at: 1 }, web2, now)),
    { key: 'web2', value: new Uint8Array(), operation: 'DEL' as const, created: now },
    put('web5', signed(nodeSigner('web5'))),
    put('web5', signed(nodeSigner('web5'), ['ca'])),
  ];
  const sync = new RegistryView('b', trust, () => now);
  const pooled = new RegistryView('b', trust, () => now);
  sync.maxAgeMs = pooled.maxAgeMs = 180_000;
  for (const e of entries) sync.apply(e);
  for (const e of entries) pooled.receive(e);
  await pooled.settled();
  const summary = (v: RegistryView) => ({
    nodes: v.nodes(now).map((n) => [n.identity, n.record.agents.join(), n.verified]),
    ignored: v.ignored(now).map((i) => [i.identity, i.reason]),
    invalid: v.invalid,
  });
  assert.deepEqual(summary(pooled), summary(sync));
  // What that is: web1's first record (the forgery ignored), web5's newer record; web2 gone (signed tombstone).
  assert.deepEqual(summary(pooled).nodes, [['web1', 'rpcutil', true], ['web5', 'ca', true]]);
  assert.deepEqual(summary(pooled).ignored.map(([identity]) => identity), ['ghost', 'ghost2', 'web1', 'web2', 'web3', 'web4']);
  assert.match(String(summary(pooled).ignored.find(([i]) => i === 'web1')![1]), /signed by issuer .* which this client does not trust|not the signing key|does not verify/);
});

test('a record older than the bucket max age, or a lifecycle event stored as a record, is not used', () => {
  const view = new RegistryView('b', trust);
  view.maxAgeMs = 180_000;
  view.apply(put('web1', sealRegistration(record('web1', ['rpcutil'], Date.now() - 600_000), web1)));
  assert.deepEqual(view.nodes(Date.now()), []);
  assert.match(view.ignored(Date.now())[0]!.reason, /600 s old/);
  const { events, r } = registrar(web2);
  return r.start().then(async () => {
    view.apply(put('web2', events[0]![1]));
    assert.deepEqual(view.nodes(Date.now()), []);
    assert.match(view.ignored(Date.now()).find((i) => i.identity === 'web2')!.reason, /signed lifecycle data where registration data was expected/);
    await r.stop();
  });
});

test('without trust the view reads records unverified, and discovery does not use them', () => {
  const view = new RegistryView('b');
  view.apply(put('web1', signed(web1)));
  view.apply(put('web3', encodeRegistryMessage(record('web3'))));
  assert.deepEqual(view.nodes(Date.now()).map((n) => [n.identity, n.verified]), [['web1', false], ['web3', false]]);
  const none = { kind: 'unavailable' as const, reason: unverifiable };
  assert.match(decideDiscovery('auto', none, emptyFilter()).note, /^broadcast discovery: the registry is not used: its records cannot be verified/);
  assert.throws(() => decideDiscovery('registry', none, emptyFilter()), /--dm registry: the registry is not used/);
});

test('job replies: with trust, a forged or unsigned reply is listed as unverified and never counted', () => {
  const id = 'cd'.repeat(16);
  const job: JobRecord = {
    protocol: 'cohort:job:1', id, collective: 'cohort', callerid: 'user=t', sender: 's', agent: 'rpcutil', action: 'ping',
    data: {}, filter: emptyFilter(), nodes: ['web1', 'web2'], discovery: 'nodes', time: Date.now() - 1000, ttl: 60, timeout: 4,
  };
  const msg = (sender: string, statuscode: 0 | 1 = 0): ReplyMessage => ({ protocol: ProtocolTag.Reply, request_id: id, sender, agent: 'rpcutil', action: 'ping', statuscode, statusmsg: 'OK', data: {}, time: Date.now() });
  const replies = new JobReplies(job, trust);
  replies.push(encode(sealReply(msg('web1'), web1)));
  replies.push(encode(msg('web2')));
  replies.push(encode(sealReply(msg('web2'), rogue)));
  replies.push(encode(sealReply(msg('web2'), web1)));
  const s = replies.stats();
  assert.deepEqual([s.responded, s.ok, s.no_response], [1, 1, ['web2']]);
  assert.deepEqual(s.unverified?.map((u) => u.sender), ['web2', 'web2', 'web2']);
  assert.match(s.unverified![0]!.reason, /not signed/);
  const unverifiedCounting = new JobReplies(job);
  unverifiedCounting.push(encode(msg('web2')));
  assert.equal(unverifiedCounting.stats().ok, 1);
  assert.equal(unverifiedCounting.stats().unverified, undefined);
});

test('a job record read back by its caller must be signed by the caller\'s own key', async () => {
  const { decodeOwnJob, encodeJobFor } = await import('../../packages/client/src/jobs/index.ts');
  const me = createSigner(generateKeyPair().privateKey, 'user=me');
  const job: JobRecord = {
    protocol: 'cohort:job:1', id: 'ef'.repeat(16), collective: 'cohort', callerid: 'user=me', sender: 's', agent: 'rpcutil', action: 'ping',
    data: {}, filter: emptyFilter(), nodes: ['web1'], discovery: 'nodes', time: Date.now(), ttl: 60, timeout: 4,
  };
  assert.deepEqual(decodeOwnJob(encodeJobFor(job, me), 'job', me), job);
  assert.throws(() => decodeOwnJob(encodeJobFor(job, undefined), 'job', me), /is not signed, but your jobs are signed with your key/);
  const other = createSigner(generateKeyPair().privateKey, 'user=me');
  assert.throws(() => decodeOwnJob(encodeJobFor(job, other), 'job', me), /is not signed by your key \(unknown key/);
  assert.deepEqual(decodeOwnJob(encodeJobFor(job, undefined), 'job', undefined), job);
});
