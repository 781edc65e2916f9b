// The node pipeline with security on (Processor + createNodeSecurity from a
// real configuration): verify -> ttl -> replay -> authorize -> audit ->
// dispatch, signed replies. The action records whether it ran and what the
// audit log held at that moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeInfo } from '@cohort/agents';
import { createSigner, encode, encodeRequest, generateKeyPair, openReply, publicKeyPem, readPublicKeyHex, TrustStore, verifyReply, type AuditRecord, type Ddl, type ReplyMessage, type RequestMessage } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { silentLogger } from '@cohort/core/log';
import { AgentRegistry, createNodeSecurity, Processor, Stats, type Arrival, type NodeSecurity } from '@cohort/server';
import { testRequest } from '../harness/messages.js';

const direct: Arrival = { collective: 'cohort', agent: undefined };
const alice = generateKeyPair();
const aliceSigner = createSigner(alice.privateKey, 'user=alice');

const ddl: Ddl = {
  metadata: { name: 'test', description: 'test agent', author: 'a', license: 'l', version: '1.0.0', url: 'u', timeout: 1 },
  actions: ['run', 'stop'].map((action) => ({ action, description: action, input: {}, output: { ran: { description: 'r', display_as: 'R' } } })),
};

function setup(security: Record<string, unknown>, override?: (s: NodeSecurity) => NodeSecurity) {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-secure-node-'));
  const keys = join(dir, 'trusted');
  mkdirSync(keys);
  writeFileSync(join(keys, 'alice.pub'), publicKeyPem(alice.publicKey));
  const auditFile = join(dir, 'audit.log');
  const { config } = loadServerConfig({ env: {}, flags: { identity: 'web1', security: { trusted_keys_dir: keys, audit_file: auditFile, ...security } } });
  const built = createNodeSecurity(config, silentLogger());
  const sec = override ? override(built) : built;
  const ran: Array<{ id: string; audit: string }> = [];
  const registry = new AgentRegistry();
  const action = (_input: Record<string, unknown>, ctx: { request: { id: string } }) => {
    ran.push({ id: ctx.request.id, audit: existsSync(auditFile) ? readFileSync(auditFile, 'utf8') : '' });
    return { ran: true };
  };
  registry.add({ name: 'test', actions: { run: action, stop: action } }, ddl, 'test', silentLogger());
  const stats = new Stats();
  const published: Array<{ subject: string; bytes: Uint8Array; reply: ReplyMessage }> = [];
  const processor = new Processor({
    identity: 'web1',
    maxBytes: 64 * 1024,
    agents: registry,
    view: () => ({ identity: 'web1', facts: { role: 'web' }, classes: [], agents: ['test'] }),
    node: {} as NodeInfo,
    stats,
    publish: (subject, bytes) => published.push({ subject, bytes, reply: openReply(bytes).reply }),
    log: silentLogger(),
    maxConcurrency: 4,
    match: () => true,
    validate: (_a, data) => data,
    security: sec,
  });
  /** Handle `bytes`; the reply it produced (undefined: none). */
  const send = async (bytes: Uint8Array, id: string) => {
    const before = published.length;
    await processor.handle(bytes, direct);
    return published.slice(before).find((p) => p.reply.request_id === id);
  };
  const audit = (): AuditRecord[] => (existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord) : []);
  return { dir, stats, ran, send, audit, published, close: () => sec.close() };
}

const req = (fields: Partial<RequestMessage> = {}) => testRequest({ agent: 'test', action: 'run', callerid: 'user=alice', ...fields });

test('a request signed by a trusted key runs, after its audit line was written; the same bytes again are refused as a replay', async () => {
  const node = setup({});
  const r = req({ data: { x: 1 } });
  const bytes = encodeRequest(r, aliceSigner);
  const first = await node.send(bytes, r.id);
  assert.equal(first?.reply.statuscode, 0);
  assert.equal(node.ran.length, 1);
  assert.match(node.ran[0]!.audit, new RegExp(`"request_id":"${r.id}".*"outcome":"allowed"`), 'the audit line existed when the action started');
  assert.equal(await node.send(bytes, r.id), undefined, 'no second reply');
  assert.equal(node.published.length, 1);
  assert.equal(node.ran.length, 1, 'the replay did not run');
  assert.equal(node.stats.dropped.replayed, 1);
  const [allowed, refused] = node.audit();
  assert.deepEqual(
    { ...allowed, time: undefined },
    { time: undefined, request_id: r.id, request_time: r.time, callerid: 'user=alice', verified: true, key: readKeyId(), sender: 'test', collective: 'cohort', agent: 'test', action: 'run', reply_to: r.reply_to, filter: r.filter, data: { x: 1 }, outcome: 'allowed' },
  );
  assert.equal(refused?.outcome, 'refused');
  assert.match(refused?.reason ?? '', /replayed/);
  node.close();
});

function readKeyId(): string {
  return createSigner(alice.privateKey, 'x').publicKey.slice(0, 16);
}

test('unsigned, forged, unknown-key, tampered and expired requests are dropped, counted and audited; none runs', async () => {
  const node = setup({});
  const mallory = generateKeyPair();
  const cases: Array<[string, RequestMessage, Uint8Array, string, RegExp]> = [];
  const unsigned = req();
  cases.push(['unsigned', unsigned, encode(unsigned), 'unsigned', /not signed/]);
  const unknown = req();
  cases.push(['unknown key', unknown, encodeRequest(unknown, createSigner(mallory.privateKey, 'user=alice')), 'unverified', /unknown key/]);
  const forged = req();
  const forgedEnvelope = JSON.parse(new TextDecoder().decode(encodeRequest(forged, createSigner(mallory.privateKey, 'user=alice')))) as Record<string, unknown>;
  // Signed by mallory, but claiming to be alice's key.
  cases.push(['forged signature', forged, new TextEncoder().encode(JSON.stringify({ ...forgedEnvelope, public_key: aliceSigner.publicKey })), 'unverified', /does not verify/]);
  const tampered = req({ data: { x: 1 } });
  const env = JSON.parse(new TextDecoder().decode(encodeRequest(tampered, aliceSigner))) as { request: string };
  cases.push(['tampered data', tampered, new TextEncoder().encode(JSON.stringify({ ...env, request: env.request.replace('"x":1', '"x":2') })), 'unverified', /does not verify/]);
  const expired = req({ time: Date.now() - 3_600_000 });
  cases.push(['expired', expired, encodeRequest(expired, aliceSigner), 'ttl_expired', /outside its 60 s ttl/]);
  for (const [name, r, bytes] of cases) assert.equal(await node.send(bytes, r.id), undefined, `${name} got a reply`);
  assert.equal(node.ran.length, 0, 'nothing ran');
  assert.equal(node.published.length, 0);
  for (const [name, r, , reason, pattern] of cases) {
    assert.equal((node.stats.dropped as Record<string, number>)[reason], reason === 'unverified' ? 3 : 1, name);
    const line = node.audit().find((a) => a.request_id === r.id);
    assert.equal(line?.outcome, 'refused', name);
    assert.match(line?.reason ?? '', pattern, name);
  }
  node.close();
});

test('authorization: a denied action replies status 1 naming the policy file, does not run, and is audited as denied', async () => {
  const policies = mkdtempSync(join(tmpdir(), 'cohort-pol-'));
  writeFileSync(join(policies, 'test.policy'), 'policy default deny\nallow\tuser=alice\trun\t*\t*\n');
  const node = setup({ policy_dir: policies });
  const ok = req();
  assert.equal((await node.send(encodeRequest(ok, aliceSigner), ok.id))?.reply.statuscode, 0);
  const stop = req({ action: 'stop' });
  const denied = await node.send(encodeRequest(stop, aliceSigner), stop.id);
  assert.equal(denied?.reply.statuscode, 1);
  assert.match(denied?.reply.statusmsg ?? '', /not authorized.*test\.policy \(policy default deny\)/);
  assert.deepEqual(node.ran.map((r) => r.id), [ok.id]);
  assert.equal(node.stats.dropped.unauthorized, 1);
  const line = node.audit().find((a) => a.request_id === stop.id);
  assert.equal(line?.outcome, 'denied');
  assert.match(line?.reason ?? '', /test\.policy/);
  const allowedLine = node.audit().find((a) => a.request_id === ok.id);
  assert.match(allowedLine?.reason ?? '', /test\.policy line 2/);
  node.close();
});

test('when the audit log cannot be written the action does not run (status 1)', async () => {
  const node = setup({}, (s) => ({ ...s, audit: { write: () => false, close: () => undefined } }));
  const r = req();
  const reply = await node.send(encodeRequest(r, aliceSigner), r.id);
  assert.equal(reply?.reply.statuscode, 1);
  assert.match(reply?.reply.statusmsg ?? '', /audit log/);
  assert.equal(node.ran.length, 0);
  assert.equal(node.stats.dropped.audit_failed, 1);
});

test('with a node key (created on first start) replies are signed and verify against it', async () => {
  const keyDir = mkdtempSync(join(tmpdir(), 'cohort-nodekey-'));
  const nodeKey = join(keyDir, 'sub', 'node.key');
  const node = setup({ node_key: nodeKey });
  assert.ok(existsSync(nodeKey) && existsSync(join(keyDir, 'sub', 'node.pub')), 'the key pair was generated');
  const r = req();
  const got = await node.send(encodeRequest(r, aliceSigner), r.id);
  const opened = openReply(got!.bytes);
  assert.ok(opened.envelope, 'the reply is a signed envelope');
  writeFileSync(join(keyDir, 'web1.pub'), `${readPublicKeyHex(join(keyDir, 'sub', 'node.pub'))}\n`);
  const trust = TrustStore.load({ kind: 'node', keysDir: keyDir });
  const signer = verifyReply(opened, trust, Date.now());
  assert.ok(typeof signer !== 'string', String(signer));
  assert.equal(signer.subject, 'web1');
  node.close();
});

test('unsigned mode accepts plain requests (unverified), but still refuses replays', async () => {
  const node = setup({ mode: 'unsigned' });
  const r = req({ callerid: 'user=anyone' });
  assert.equal((await node.send(encode(r), r.id))?.reply.statuscode, 0);
  assert.equal(await node.send(encode(r), r.id), undefined);
  assert.equal(node.ran.length, 1);
  assert.equal(node.audit()[0]?.verified, false);
  node.close();
});
