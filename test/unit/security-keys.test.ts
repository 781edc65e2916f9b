// Ed25519 keys, signatures and issuer certificates (packages/core/src/security).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  certificateProblem,
  generateKeyPair,
  issueCertificate,
  keyId,
  loadSigner,
  openCertificate,
  publicKeyFromHex,
  publicKeyHex,
  readCertificate,
  readPrivateKey,
  readPublicKeyHex,
  SecurityError,
  signText,
  verifyText,
  writeCertificate,
  writeKeyPair,
} from '@cohort/core';

const dir = () => mkdtempSync(join(tmpdir(), 'cohort-keys-'));

test('a key pair round-trips through PEM files; the private key is written 0600', () => {
  const d = dir();
  const pair = generateKeyPair();
  const { keyFile, publicFile } = writeKeyPair(join(d, 'alice'), pair);
  assert.equal(keyFile, join(d, 'alice.key'));
  assert.equal(publicFile, join(d, 'alice.pub'));
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const hex = publicKeyHex(pair.publicKey);
  assert.match(hex, /^[0-9a-f]{64}$/);
  assert.equal(publicKeyHex(readPrivateKey(keyFile)), hex);
  assert.equal(readPublicKeyHex(publicFile), hex);
  assert.equal(keyId(hex), hex.slice(0, 16));
  assert.equal(publicKeyHex(publicKeyFromHex(hex)), hex);
  // A bare hex line is a valid public key file too.
  writeFileSync(join(d, 'hex.pub'), `${hex}\n`);
  assert.equal(readPublicKeyHex(join(d, 'hex.pub')), hex);
});

test('an existing key is not overwritten unless asked', () => {
  const d = dir();
  writeKeyPair(join(d, 'k'), generateKeyPair());
  assert.throws(() => writeKeyPair(join(d, 'k'), generateKeyPair()), /already exists/);
  assert.doesNotThrow(() => writeKeyPair(join(d, 'k'), generateKeyPair(), { overwrite: true }));
});

test('a private key readable by others is refused with the chmod to run', () => {
  const d = dir();
  const { keyFile } = writeKeyPair(join(d, 'k'), generateKeyPair());
  chmodSync(keyFile, 0o644);
  assert.throws(() => readPrivateKey(keyFile), (err: unknown) => err instanceof SecurityError && /chmod 600/.test(err.message));
});

test('files that are not keys are refused naming the file', () => {
  const d = dir();
  const bad = join(d, 'bad.pub');
  writeFileSync(bad, 'hello');
  assert.throws(() => readPublicKeyHex(bad), /bad\.pub/);
  assert.throws(() => readPublicKeyHex(join(d, 'missing.pub')), /cannot read/);
  assert.throws(() => publicKeyFromHex('zz'), /64 hex/);
});

test('signatures verify for the exact text and key only', () => {
  const a = generateKeyPair();
  const b = generateKeyPair();
  const text = '{"protocol":"cohort:request:1","data":{"n":1}}';
  const sig = signText(a.privateKey, text);
  assert.match(sig, /^[0-9a-f]{128}$/);
  assert.equal(verifyText(publicKeyHex(a.publicKey), text, sig), true);
  assert.equal(verifyText(publicKeyHex(b.publicKey), text, sig), false, 'other key');
  assert.equal(verifyText(publicKeyHex(a.publicKey), text.replace('1', '2'), sig), false, 'changed text');
  assert.equal(verifyText(publicKeyHex(a.publicKey), `${text} `, sig), false, 'added whitespace');
  const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
  assert.equal(verifyText(publicKeyHex(a.publicKey), text, flipped), false, 'changed signature');
  assert.equal(verifyText('nothex', text, sig), false, 'malformed key never throws');
});

test('an issuer certificate binds a key to a subject; tampering or a foreign issuer breaks it', () => {
  const issuer = generateKeyPair();
  const alice = generateKeyPair();
  const now = Date.now();
  const doc = issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=alice', publicKey: publicKeyHex(alice.publicKey), issuedAt: now, expiresAt: now + 1000 });
  const body = openCertificate(doc);
  assert.ok(typeof body !== 'string', String(body));
  assert.equal(body.subject, 'user=alice');
  assert.equal(body.issuer, publicKeyHex(issuer.publicKey));
  assert.equal(certificateProblem(body, 'caller', now), undefined);
  assert.match(certificateProblem(body, 'node', now) ?? '', /for a caller, not a node/);
  assert.match(certificateProblem(body, 'caller', now + 2000) ?? '', /expired/);
  // Change the subject inside the signed text: the signature no longer verifies.
  const forged = { ...doc, certificate: doc.certificate.replace('user=alice', 'user=admin') };
  assert.match(String(openCertificate(forged)), /does not verify/);
  // Re-sign with another key but keep the issuer field: still refused.
  const mallory = generateKeyPair();
  const resigned = { ...forged, signature: signText(mallory.privateKey, forged.certificate) };
  assert.match(String(openCertificate(resigned)), /does not verify/);
  assert.throws(() => issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'alice', publicKey: publicKeyHex(alice.publicKey) }), /kind=value/);
});

test('certificates round-trip through files; loadSigner binds the caller id to the key', () => {
  const d = dir();
  const issuer = generateKeyPair();
  const pair = generateKeyPair();
  const { keyFile } = writeKeyPair(join(d, 'alice'), pair);
  // Without a certificate the key name gives the caller id.
  assert.equal(loadSigner({ kind: 'caller', keyFile }).subject, 'user=alice');
  const doc = issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=alice.ops', publicKey: publicKeyHex(pair.publicKey) });
  writeCertificate(join(d, 'alice.cert'), doc);
  assert.deepEqual(readCertificate(join(d, 'alice.cert')), doc);
  const signer = loadSigner({ kind: 'caller', keyFile });
  assert.equal(signer.subject, 'user=alice.ops', 'the certificate beside the key decides the caller id');
  assert.deepEqual(signer.certificate, doc);
  assert.throws(() => loadSigner({ kind: 'caller', keyFile, subject: 'user=bob' }), /bound to the key/);
  assert.throws(() => loadSigner({ kind: 'node', keyFile }), /caller, not a node/);
  // A certificate for another key is refused.
  const other = issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=alice', publicKey: publicKeyHex(generateKeyPair().publicKey) });
  writeFileSync(join(d, 'alice.cert'), JSON.stringify(other));
  assert.throws(() => loadSigner({ kind: 'caller', keyFile }), /certifies key/);
  assert.ok(readFileSync(join(d, 'alice.cert'), 'utf8').includes('cohort:certificate:1'));
});
