// Signed request and reply envelopes against a trust store: every field is
// covered by the signature, unknown keys and foreign issuers are refused,
// and the caller id is bound to the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  encode,
  encodeRequest,
  encodeSealedReply,
  generateKeyPair,
  issueCertificate,
  openReply,
  openRequest,
  ProtocolTag,
  publicKeyHex,
  publicKeyPem,
  sealReply,
  sealRequest,
  TrustStore,
  verifyReply,
  verifyRequest,
  type ReplyMessage,
  type RequestMessage,
  type SecureRequestMessage,
} from '@cohort/core';
import { testRequest } from '../harness/messages.js';

const now = Date.now();
const alice = generateKeyPair();
const issuer = generateKeyPair();
const aliceSigner = createSigner(alice.privateKey, 'user=alice');

function trustDir(keys: Record<string, ReturnType<typeof generateKeyPair>>): string {
  const d = mkdtempSync(join(tmpdir(), 'cohort-trust-'));
  for (const [name, pair] of Object.entries(keys)) writeFileSync(join(d, `${name}.pub`), publicKeyPem(pair.publicKey));
  return d;
}

function issuerFile(): string {
  const f = join(mkdtempSync(join(tmpdir(), 'cohort-issuer-')), 'issuer.pub');
  writeFileSync(f, publicKeyPem(issuer.publicKey));
  return f;
}

const keysTrust = TrustStore.load({ kind: 'caller', keysDir: trustDir({ alice }) });
const verify = (sealed: SecureRequestMessage | RequestMessage, trust = keysTrust) => verifyRequest(openRequest(encode(sealed)), trust, now);

test('a request signed by a trusted key verifies, bound to user=<file name>', () => {
  const req = testRequest({ callerid: 'user=alice' });
  const signer = verify(sealRequest(req, aliceSigner));
  assert.ok(typeof signer !== 'string', String(signer));
  assert.equal(signer.subject, 'user=alice');
  assert.equal(signer.via, 'key');
  assert.deepEqual(openRequest(encodeRequest(req, aliceSigner)).request, req, 'the inner request is exactly what was signed');
});

test('changing any field of a signed request makes it fail verification', () => {
  const req = testRequest({ callerid: 'user=alice', agent: 'echo', action: 'echo', data: { message: 'hi' } });
  const sealed = sealRequest(req, aliceSigner);
  const changes: Record<string, unknown> = {
    id: 'f'.repeat(32),
    sender: 'elsewhere',
    callerid: 'user=alic',
    collective: 'other',
    agent: 'rpcutil',
    action: 'ping',
    data: { message: 'rm -rf' },
    filter: { fact: [], cf_class: [], agent: [], identity: ['web1'], compound: [] },
    ttl: 86400,
    time: req.time + 3_600_000,
    reply_to: 'cohort.reply.evil.x',
  };
  assert.deepEqual(Object.keys(changes).sort(), Object.keys(req).filter((k) => k !== 'protocol').sort(), 'every field is tried');
  for (const [field, value] of Object.entries(changes)) {
    const tampered = { ...sealed, request: JSON.stringify({ ...req, [field]: value }) };
    const result = verify(tampered);
    assert.equal(typeof result, 'string', `tampered ${field} was accepted`);
    assert.match(String(result), /does not verify/, field);
  }
});

test('forged signatures, unknown keys and unsigned requests are refused with a reason', () => {
  const req = testRequest({ callerid: 'user=alice' });
  const sealed = sealRequest(req, aliceSigner);
  const mallory = generateKeyPair();
  // Mallory signs but claims alice's key: the signature does not verify.
  assert.match(String(verify({ ...sealed, signature: sealRequest(req, createSigner(mallory.privateKey, 'user=alice')).signature })), /does not verify/);
  // Mallory signs with her own key: unknown.
  assert.match(String(verify(sealRequest(req, createSigner(mallory.privateKey, 'user=alice')))), /unknown key/);
  assert.match(String(verify(req)), /not signed/);
});

test('the caller id must be the one bound to the key', () => {
  const req = testRequest({ callerid: 'user=root' });
  assert.match(String(verify(sealRequest(req, aliceSigner))), /callerid 'user=root' is not the one the signing key is bound to \('user=alice'\)/);
});

test('trusted key file names: name= is the caller id itself; bad names are ignored with a warning', () => {
  const ci = generateKeyPair();
  const d = trustDir({ 'deploy=ci': ci, 'bad name!': generateKeyPair() });
  const trust = TrustStore.load({ kind: 'caller', keysDir: d });
  assert.equal(trust.size.keys, 1);
  assert.match(trust.warnings.join('\n'), /bad name!/);
  const req = testRequest({ callerid: 'deploy=ci' });
  const signer = verify(sealRequest(req, createSigner(ci.privateKey, 'deploy=ci')), trust);
  assert.equal(typeof signer === 'string' ? signer : signer.subject, 'deploy=ci');
});

test('keys certified by a trusted issuer are trusted without touching the nodes; others are not', () => {
  const bob = generateKeyPair();
  const cert = issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=bob', publicKey: publicKeyHex(bob.publicKey), expiresAt: now + 60_000 });
  const bobSigner = createSigner(bob.privateKey, 'user=bob', cert);
  const trust = TrustStore.load({ kind: 'caller', keysDir: null, issuers: [issuerFile()] });
  const req = testRequest({ callerid: 'user=bob' });
  const ok = verify(sealRequest(req, bobSigner), trust);
  assert.ok(typeof ok !== 'string', String(ok));
  assert.equal(ok.via, 'certificate');
  // Twice: the second check uses the remembered certificate and still verifies the request signature.
  assert.ok(typeof verify(sealRequest(req, bobSigner), trust) !== 'string');
  // A node that does not trust the issuer refuses.
  assert.match(String(verify(sealRequest(req, bobSigner), keysTrust)), /issuer .* does not trust/);
  // Another issuer's certificate for the same key: refused.
  const rogue = generateKeyPair();
  const rogueCert = issueCertificate(rogue.privateKey, { kind: 'caller', subject: 'user=bob', publicKey: publicKeyHex(bob.publicKey) });
  assert.match(String(verify(sealRequest(req, createSigner(bob.privateKey, 'user=bob', rogueCert)), trust)), /does not trust/);
  // Expired certificate: refused.
  const old = issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=bob', publicKey: publicKeyHex(bob.publicKey), issuedAt: now - 20_000, expiresAt: now - 10_000 });
  assert.match(String(verify(sealRequest(req, createSigner(bob.privateKey, 'user=bob', old)), trust)), /expired/);
  // Bob's certificate attached to mallory's key: refused.
  const mallory = generateKeyPair();
  assert.match(String(verify(sealRequest(req, createSigner(mallory.privateKey, 'user=bob', cert)), trust)), /certifies key/);
  // A node certificate cannot sign requests: a compromised node must not command the fleet.
  const nodeKey = generateKeyPair();
  const nodeCert = issueCertificate(issuer.privateKey, { kind: 'node', subject: 'web1', publicKey: publicKeyHex(nodeKey.publicKey) });
  assert.match(String(verify(sealRequest(testRequest({ callerid: 'user=web1' }), createSigner(nodeKey.privateKey, 'user=web1', nodeCert)), trust)), /for a node, not a caller/);
});

test('signed replies verify against trusted node keys or issuers; the sender is bound to the key', () => {
  const nodeKey = generateKeyPair();
  const reply: ReplyMessage = { protocol: ProtocolTag.Reply, request_id: 'a'.repeat(32), sender: 'web1', agent: 'rpcutil', action: 'ping', statuscode: 0, statusmsg: 'OK', data: { pong: 1 }, time: now };
  const d = mkdtempSync(join(tmpdir(), 'cohort-nodes-'));
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'web1.pub'), publicKeyPem(nodeKey.publicKey));
  const byKeys = TrustStore.load({ kind: 'node', keysDir: d });
  const signed = encode(sealReply(reply, createSigner(nodeKey.privateKey, 'web1')));
  const opened = openReply(signed);
  assert.deepEqual(opened.reply, reply);
  assert.ok(typeof verifyReply(opened, byKeys, now) !== 'string');
  // Same key, but the reply claims to come from web2.
  const liar = openReply(encode(sealReply({ ...reply, sender: 'web2' }, createSigner(nodeKey.privateKey, 'web2'))));
  assert.match(String(verifyReply(liar, byKeys, now)), /sender 'web2'/);
  // Tampered data.
  const env = sealReply(reply, createSigner(nodeKey.privateKey, 'web1'));
  assert.match(String(verifyReply(openReply(encode({ ...env, reply: env.reply.replace('"pong":1', '"pong":2') })), byKeys, now)), /does not verify/);
  // Unsigned replies are unverifiable.
  assert.match(String(verifyReply(openReply(encode(reply)), byKeys, now)), /not signed/);
  // Through the issuer, with a node certificate.
  const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: 'web1', publicKey: publicKeyHex(nodeKey.publicKey) });
  const byIssuer = TrustStore.load({ kind: 'node', issuers: [issuerFile()] });
  assert.ok(typeof verifyReply(openReply(encode(sealReply(reply, createSigner(nodeKey.privateKey, 'web1', cert)))), byIssuer, now) !== 'string');
});

test('encodeSealedReply gives the bytes of encode(sealReply(...)), with and without a certificate, and verifies', () => {
  const nodeKey = generateKeyPair();
  const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: 'web1', publicKey: publicKeyHex(nodeKey.publicKey) });
  const reply: ReplyMessage = {
    protocol: ProtocolTag.Reply,
    request_id: 'b'.repeat(32),
    sender: 'web1',
    agent: 'rpcutil',
    action: 'ping',
    statuscode: 0,
    statusmsg: 'OK "quoted" \\ back\nslash, ünïcødé 🐙 \u2028',
    data: { pong: 1, nested: { list: [1, 'two', null], text: '</script>' } },
    time: now,
  };
  for (const signer of [createSigner(nodeKey.privateKey, 'web1'), createSigner(nodeKey.privateKey, 'web1', cert)]) {
    // Twice: the second reply uses the signer's remembered envelope tail.
    for (const r of [reply, { ...reply, request_id: 'c'.repeat(32), data: {} }]) {
      const bytes = encodeSealedReply(r, signer);
      assert.deepEqual(Buffer.from(bytes), Buffer.from(encode(sealReply(r, signer))));
      const opened = openReply(bytes);
      assert.deepEqual(opened.reply, r);
      assert.equal(opened.envelope?.certificate === undefined, signer.certificate === undefined);
    }
  }
  const byIssuer = TrustStore.load({ kind: 'node', issuers: [issuerFile()] });
  assert.ok(typeof verifyReply(openReply(encodeSealedReply(reply, createSigner(nodeKey.privateKey, 'web1', cert))), byIssuer, now) !== 'string');
});
