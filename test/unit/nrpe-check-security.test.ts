// check_cohort_nrpe uses the security settings of its client config as cohort
// does: it signs with the configured key, trusts the configured issuers (so
// discovery can use the signed registry), verifies replies when told, and
// refuses settings it cannot use with a message naming them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, generateKeyPair, issueCertificate, publicKeyHex, writeCertificate, writeKeyPair } from '@cohort/core';
import { parseClientConfig } from '@cohort/client';
import { checkSecurity } from '../../packages/nagios/src/security.ts';
import { caught } from '../harness/messages.js';

function keys() {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-check-security-'));
  const issuer = generateKeyPair();
  const { publicFile: issuerFile } = writeKeyPair(join(dir, 'issuer'), issuer);
  const nagios = generateKeyPair();
  const { keyFile } = writeKeyPair(join(dir, 'nagios'), nagios);
  writeCertificate(join(dir, 'nagios.cert'), issueCertificate(issuer.privateKey, { kind: 'caller', subject: 'user=nagios', publicKey: publicKeyHex(nagios.publicKey) }));
  const config = (yaml: string) => parseClientConfig(yaml, join(dir, 'client.yaml')).security;
  return { dir, issuerFile, keyFile, issuerHex: publicKeyHex(issuer.publicKey), config, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('no security settings: unsigned, no trusted node keys (broadcast discovery), no NATS auth', () => {
  assert.deepEqual(checkSecurity(undefined, {}), {});
  assert.deepEqual(checkSecurity(parseClientConfig('collective: cohort\n', '/x/client.yaml').security, {}), {});
});

test('issuers in the client config are trusted for the registry; replies are verified only with verify_replies', () => {
  const k = keys();
  try {
    const trusting = checkSecurity(k.config(`issuers: [${k.issuerFile}]\n`), {});
    assert.deepEqual(trusting.nodeTrust?.size, { keys: 0, issuers: 1 });
    assert.equal(trusting.verifyReplies, undefined);
    assert.equal(trusting.signer, undefined);
    const verifying = checkSecurity(k.config(`issuers: [${k.issuerFile}]\nverify_replies: true\n`), {});
    assert.equal(verifying.verifyReplies, verifying.nodeTrust);
  } finally {
    k.done();
  }
});

test('the key signs (bound to its certificate\'s caller id) and its issuer is trusted; COHORT_KEY overrides the config', () => {
  const k = keys();
  try {
    const s = checkSecurity(k.config('key: nagios.key\n'), {});
    assert.equal(s.signer?.subject, 'user=nagios');
    assert.deepEqual(s.nodeTrust?.size, { keys: 0, issuers: 1 });
    const fromEnv = checkSecurity(k.config('key: missing.key\n'), { COHORT_KEY: k.keyFile });
    assert.equal(fromEnv.signer?.subject, 'user=nagios');
  } finally {
    k.done();
  }
});

test('settings that cannot be used are refused, naming them', () => {
  const k = keys();
  try {
    assert.match(caught(ConfigError, () => checkSecurity(k.config('key: missing.key\n'), {})).message, /signing key .*missing\.key \('key' in the client config\) does not exist/);
    assert.match(caught(ConfigError, () => checkSecurity(k.config('verify_replies: true\n'), {})).message, /verify_replies .* needs trusted node keys/);
    writeFileSync(join(k.dir, 'bad.pub'), 'not a key\n');
    assert.throws(() => checkSecurity(k.config('issuers: [bad.pub]\n'), {}), (err: Error) => err instanceof ConfigError && /bad\.pub/.test(err.message));
  } finally {
    k.done();
  }
});
