// Signed data on the bus: a value sealed by a node or client verifies only
// for the kind and subject it was sealed for, by a trusted key, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  generateKeyPair,
  isSignedData,
  issueCertificate,
  openData,
  ProtocolError,
  publicKeyHex,
  publicKeyPem,
  readData,
  readDataAsync,
  sealData,
  sealDataBytes,
  signedDataTag,
  TrustStore,
  verifyData,
  VerifiedSignatures,
} from '@cohort/core';

const now = 1_800_000_000_000;
const web1 = generateKeyPair();
const web2 = generateKeyPair();
const stranger = generateKeyPair();
const issuer = generateKeyPair();

function trustDir(keys: Record<string, ReturnType<typeof generateKeyPair>>): string {
  const d = mkdtempSync(join(tmpdir(), 'cohort-trust-'));
  for (const [name, pair] of Object.entries(keys)) writeFileSync(join(d, `${name}.pub`), publicKeyPem(pair.publicKey));
  return d;
}

const trust = TrustStore.load({ kind: 'node', keysDir: trustDir({ web1, web2 }) });
const web1Signer = createSigner(web1.privateKey, 'web1');
const expectRecord = { kind: 'registration', subject: 'web1', now };
const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

test('sealed data verifies for its kind and subject, and gives back the value and signer', () => {
  const value = { agents: ['rpcutil'], facts: { os: 'linux' } };
  const sealed = sealDataBytes('registration', value, web1Signer, now);
  assert.ok(isSignedData(sealed));
  const got = readData<typeof value>(sealed, trust, expectRecord);
  assert.ok(typeof got !== 'string', String(got));
  assert.deepEqual(got.value, value);
  assert.equal(got.subject, 'web1');
  assert.equal(got.kind, 'registration');
  assert.equal(got.time, now);
  assert.equal(got.signer.via, 'key');
});

test('a signature for one kind cannot be replayed as another kind', () => {
  const sealed = sealDataBytes('lifecycle', { event: 'shutdown' }, web1Signer, now);
  assert.match(String(readData(sealed, trust, expectRecord)), /signed lifecycle data where registration data was expected/);
});

test('data is bound to the subject it claims: a trusted node cannot sign for another', () => {
  // web2 signs a record and it is stored under web1's key.
  const sealed = sealDataBytes('registration', {}, createSigner(web2.privateKey, 'web2'), now);
  assert.match(String(readData(sealed, trust, expectRecord)), /data for 'web2' where data for 'web1' was expected/);
  // web2's key claims to speak for web1.
  const lying = sealDataBytes('registration', {}, createSigner(web2.privateKey, 'web1'), now);
  assert.match(String(readData(lying, trust, expectRecord)), /bound to 'web2'/);
});

test('an untrusted key is refused, and any change after signing is caught', () => {
  assert.match(String(readData(sealDataBytes('registration', {}, createSigner(stranger.privateKey, 'web1'), now), trust, expectRecord)), /unknown key/);
  const sealed = sealData('registration', { agents: ['rpcutil'] }, web1Signer, now);
  const changed = { ...sealed, data: sealed.data.replace('rpcutil', 'ca') };
  assert.match(String(readData(bytes(changed), trust, expectRecord)), /does not verify/);
});

test('keys certified by a trusted issuer verify; other issuers do not', () => {
  const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: 'web9', publicKey: publicKeyHex(stranger.privateKey) });
  const signer = createSigner(stranger.privateKey, 'web9', cert);
  const issuerFile = join(mkdtempSync(join(tmpdir(), 'cohort-issuer-')), 'issuer.pub');
  writeFileSync(issuerFile, publicKeyPem(issuer.publicKey));
  const viaIssuer = TrustStore.load({ kind: 'node', issuers: [issuerFile] });
  const got = readData(sealDataBytes('mine', { load: 1 }, signer, now), viaIssuer, { kind: 'mine', subject: 'web9', now });
  assert.ok(typeof got !== 'string', String(got));
  assert.equal(got.signer.via, 'certificate');
  assert.match(String(readData(sealDataBytes('mine', 1, signer, now), trust, { kind: 'mine', now })), /issuer .* does not trust/);
  // A caller certificate is no good for node data.
  const callerCert = issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=eve', publicKey: publicKeyHex(stranger.privateKey) });
  assert.equal(typeof readData(sealDataBytes('mine', 1, createSigner(stranger.privateKey, 'user=eve', callerCert), now), viaIssuer, { kind: 'mine', now }), 'string');
});

test('time bounds: future-dated and (when asked) too old data are refused', () => {
  assert.match(String(readData(sealDataBytes('registration', {}, web1Signer, now + 3_600_000), trust, expectRecord)), /in the future/);
  const old = sealDataBytes('registration', {}, web1Signer, now - 120_000);
  assert.equal(typeof readData(old, trust, expectRecord), 'object');
  assert.match(String(readData(old, trust, { ...expectRecord, maxAgeMs: 60_000 })), /120 s old/);
});

test('the value shape check runs after the signature and its reason is reported', () => {
  const sealed = sealDataBytes('registration', { agents: 'ca' }, web1Signer, now);
  const check = (v: unknown) => (Array.isArray((v as { agents?: unknown }).agents) ? undefined : 'agents must be a list');
  assert.match(String(readData(sealed, trust, { ...expectRecord, check })), /from web1: agents must be a list/);
});

test('malformed envelopes are refused with a reason naming the problem', () => {
  const good = sealData('registration', {}, web1Signer, now);
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, protocol: 'cohort:registration:1' }, /expected 'cohort:signed-data:1'/],
    [{ ...good, extra: 1 }, /unknown field 'extra'/],
    [{ ...good, signature: 'xyz' }, /signature must be 128 hex/],
    [{ ...good, public_key: 'zz' }, /public_key must be 64 hex/],
    [{ ...good, data: '{"kind":"registration"' }, /body is not valid JSON/],
    [{ ...good, data: JSON.stringify({ kind: 'registration', subject: 'web1', time: now }) }, /no value/],
    [{ ...good, data: JSON.stringify({ kind: 'Bad Kind', subject: 'web1', time: now, value: 1 }) }, /no valid kind/],
    [{ ...good, certificate: { protocol: 'nope' } }, /invalid certificate/],
    [[1, 2], /not a JSON object/],
  ];
  for (const [value, reason] of cases) assert.throws(() => openData(bytes(value)), (e: unknown) => e instanceof ProtocolError && reason.test(e.message), String(reason));
  assert.throws(() => openData(new Uint8Array([0xff, 0xfe])), /not valid UTF-8 JSON/);
  assert.throws(() => openData(sealDataBytes('registration', 'x'.repeat(2000), web1Signer, now), 1000), /exceeds the 1000 byte limit/);
  assert.equal(isSignedData(bytes({ protocol: 'cohort:registration:1' })), false);
  assert.equal(good.protocol, signedDataTag);
});

test('sealing refuses a malformed kind or an undefined value', () => {
  assert.throws(() => sealData('Registration', {}, web1Signer), /kind 'Registration'/);
  assert.throws(() => sealData('registration', undefined, web1Signer), /no value/);
});

test('verifyData works on opened data and never throws', () => {
  const opened = openData(sealDataBytes('registration', [1], web1Signer, now));
  const got = verifyData<number[]>(opened, trust, expectRecord);
  assert.ok(typeof got !== 'string');
  assert.deepEqual(got.value, [1]);
});

test('a store that remembers signatures: a record read again costs no check, and nothing is verified less', async () => {
  const remembering = TrustStore.load({ kind: 'node', keysDir: trustDir({ web1, web2 }) }).rememberSignatures();
  const memo = remembering.signatures;
  assert.ok(memo);
  const good = sealDataBytes('registration', { n: 1 }, web1Signer, now);
  for (const read of [readData, readDataAsync]) {
    const v = await read(good, remembering, expectRecord);
    assert.deepEqual(typeof v === 'string' ? v : v.value, { n: 1 });
  }
  assert.deepEqual({ checks: memo.checks, hits: memo.hits, size: memo.size }, { checks: 1, hits: 1, size: 1 }, 'checked once, then remembered');
  const envelope = JSON.parse(new TextDecoder().decode(good)) as { data: string; signature: string; public_key: string };
  // Altered after signing, under the remembered signature: the text differs, so it is checked, and refused, every time.
  const altered = bytes({ ...envelope, data: envelope.data.replace('"n":1', '"n":2') });
  // The remembered signature with another trusted key (web2 claiming web1's record).
  const otherKey = bytes({ ...envelope, public_key: publicKeyHex(web2.publicKey) });
  // A forged signature over the remembered text.
  const forged = bytes({ ...envelope, signature: envelope.signature.startsWith('0') ? `1${envelope.signature.slice(1)}` : `0${envelope.signature.slice(1)}` });
  const unsigned = bytes({ kind: 'registration', subject: 'web1', time: now, value: { n: 1 } });
  for (let round = 0; round < 2; round++) {
    for (const read of [readData, readDataAsync]) {
      assert.match(String(await read(altered, remembering, expectRecord)), /signature does not verify/);
      assert.match(String(await read(otherKey, remembering, { ...expectRecord, subject: undefined })), /bound to 'web2'|signature does not verify/);
      assert.match(String(await read(forged, remembering, expectRecord)), /signature does not verify/);
      assert.match(String(await read(unsigned, remembering, expectRecord)), /protocol/);
    }
  }
  assert.equal(memo.size, 1, 'nothing refused is remembered');
  // Every other check is still made on a remembered record: the kind, the subject, the time, and the key's trust.
  assert.match(String(readData(good, remembering, { ...expectRecord, kind: 'lifecycle' })), /where lifecycle data was expected/);
  assert.match(String(readData(good, remembering, { ...expectRecord, subject: 'web2' })), /where data for 'web2' was expected/);
  assert.match(String(readData(good, remembering, { ...expectRecord, now: now - 3_600_000 })), /in the future/);
  const forgetful = TrustStore.load({ kind: 'node', keysDir: trustDir({ web2 }) }).rememberSignatures();
  assert.match(String(readData(good, forgetful, expectRecord)), /unknown key/);
});

test('a remembered certificate-backed record is refused once its certificate expires', async () => {
  const node = generateKeyPair();
  const cert = issueCertificate(issuer.privateKey, { kind: 'node', subject: 'web7', publicKey: publicKeyHex(node.privateKey), issuedAt: now - 1000, expiresAt: now + 60_000 });
  const signer = createSigner(node.privateKey, 'web7', cert);
  const remembering = new TrustStore('node', new Map(), new Set([publicKeyHex(issuer.publicKey)])).rememberSignatures();
  const good = sealDataBytes('registration', { n: 7 }, signer, now);
  const expect7 = { kind: 'registration', subject: 'web7', now };
  assert.equal(typeof (await readDataAsync(good, remembering, expect7)), 'object');
  assert.equal(typeof (await readDataAsync(good, remembering, { ...expect7, now: now + 1000 })), 'object');
  assert.equal(remembering.signatures?.hits, 1);
  assert.match(String(await readDataAsync(good, remembering, { ...expect7, now: now + 120_000 })), /expired/);
});

test('VerifiedSignatures keeps the most recently used, up to its limit', () => {
  const memo = new VerifiedSignatures(2);
  const sign = (text: string) => ({ text, sig: web1Signer.sign(text) });
  const [a, b, c] = [sign('a'), sign('b'), sign('c')];
  const key = web1Signer.publicKey;
  for (const x of [a, b]) assert.ok(memo.verify(key, x.text, x.sig));
  assert.ok(memo.verify(key, a.text, a.sig)); // a is now the most recent
  assert.ok(memo.verify(key, c.text, c.sig)); // b goes
  assert.equal(memo.size, 2);
  const checks = memo.checks;
  assert.ok(memo.verify(key, a.text, a.sig));
  assert.ok(memo.verify(key, c.text, c.sig));
  assert.equal(memo.checks, checks, 'a and c answered from memory');
  assert.ok(memo.verify(key, b.text, b.sig));
  assert.equal(memo.checks, checks + 1, 'b checked again');
  assert.equal(memo.verify(key, 'b2', b.sig), false);
  assert.throws(() => new VerifiedSignatures(0), /must be a positive integer/);
});
