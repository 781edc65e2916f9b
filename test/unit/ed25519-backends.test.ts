// Ed25519 by OpenSSL (node:crypto) and by libsodium (sodium-native), which
// cohortd and cohort-sim switch to at start (useLibsodium): the same
// signature bytes for the same key and text, each accepting the other's
// signatures and refusing the same forgeries, so a node on either and a
// client on either understand each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ed25519, generateKeyPair, loadLibsodiumEd25519, opensslEd25519, publicKeyHex, signText, useLibsodium, verifyText, type Ed25519 } from '@cohort/core';

function libsodium(): Ed25519 {
  const loaded = loadLibsodiumEd25519();
  assert.notEqual(typeof loaded, 'string', `sodium-native is a dependency of @cohort/core and has a build for this platform: ${String(loaded)}`);
  return loaded as Ed25519;
}

const texts = ['', 'x', '{"protocol":"cohort:reply:1","body":"ünïcødé ✓ 𝄞"}', randomBytes(3000).toString('base64')];

test('both sign every text with the same bytes, and each verifies the other', () => {
  const sodium = libsodium();
  for (let k = 0; k < 5; k++) {
    const { privateKey } = generateKeyPair();
    const pub = publicKeyHex(privateKey);
    for (const text of texts) {
      const message = Buffer.from(text, 'utf8');
      const a = opensslEd25519.sign(privateKey, message);
      const b = sodium.sign(privateKey, message);
      assert.equal(b.length, 64);
      assert.deepEqual(b, a);
      assert.equal(sodium.verify(pub, message, a), true);
      assert.equal(opensslEd25519.verify(pub, message, b), true);
    }
  }
});

test('both refuse a changed text, another key, a changed or cut signature', () => {
  const sodium = libsodium();
  const { privateKey } = generateKeyPair();
  const other = publicKeyHex(generateKeyPair().privateKey);
  const pub = publicKeyHex(privateKey);
  const message = Buffer.from('{"action":"ping"}');
  const signature = opensslEd25519.sign(privateKey, message);
  const flipped = Buffer.from(signature);
  flipped.writeUInt8(flipped.readUInt8(10) ^ 1, 10);
  for (const impl of [opensslEd25519, sodium]) {
    assert.equal(impl.verify(pub, Buffer.from('{"action":"pong"}'), signature), false, impl.name);
    assert.equal(impl.verify(other, message, signature), false, impl.name);
    assert.equal(impl.verify(pub, message, flipped), false, impl.name);
    assert.equal(impl.verify(pub, message, signature.subarray(0, 63)), false, impl.name);
    assert.equal(impl.verify(pub, message, Buffer.alloc(0)), false, impl.name);
  }
});

test('a malformed public key is an error for both (verifyText: false)', () => {
  const sodium = libsodium();
  const { privateKey } = generateKeyPair();
  const message = Buffer.from('hello');
  const signature = sodium.sign(privateKey, message);
  const pub = publicKeyHex(privateKey);
  for (const bad of ['', pub.slice(2), `${pub}00`, pub.toUpperCase(), `zz${pub.slice(2)}`]) {
    for (const impl of [opensslEd25519, sodium]) assert.throws(() => impl.verify(bad, message, signature), /is not an Ed25519 public key/, `${impl.name} ${bad}`);
  }
});

test('useLibsodium switches signText and verifyText, and COHORT_ED25519=openssl back', () => {
  const { privateKey } = generateKeyPair();
  const pub = publicKeyHex(privateKey);
  const before = signText(privateKey, 'text');
  assert.equal(ed25519().name, 'openssl');
  assert.deepEqual(useLibsodium({ COHORT_ED25519: 'openssl' }), { backend: 'openssl', reason: 'COHORT_ED25519=openssl' });
  assert.equal(ed25519().name, 'openssl');
  assert.deepEqual(useLibsodium({}), { backend: 'libsodium' });
  assert.equal(ed25519().name, 'libsodium');
  assert.equal(signText(privateKey, 'text'), before);
  assert.equal(verifyText(pub, 'text', before), true);
  assert.equal(verifyText(pub, 'text!', before), false);
  assert.equal(verifyText(pub, 'text', 'not hex'), false);
  assert.equal(verifyText('nope', 'text', before), false);
  // COHORT_ED25519=openssl switches back, even once libsodium is in use.
  assert.deepEqual(useLibsodium({ COHORT_ED25519: 'openssl' }), { backend: 'openssl', reason: 'COHORT_ED25519=openssl' });
  assert.equal(ed25519().name, 'openssl');
  assert.equal(signText(privateKey, 'text'), before);
});
