// Key, CSR and certificate handling with the real openssl CLI in a temp ssl dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError } from '../../packages/agents/src/errors.ts';
import { installCertificate, installedFingerprint } from '../../packages/agents/src/provision/certificate.ts';
import { generateCsr, subjectString } from '../../packages/agents/src/provision/csr.ts';
import { ensureKey } from '../../packages/agents/src/provision/keys.ts';
import { opensslRunner } from '../../packages/agents/src/provision/openssl.ts';
import { sslFiles } from '../../packages/agents/src/provision/ssl-files.ts';

const openssl = opensslRunner('openssl');

function sh(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('subject: fields in order, CN last, special characters escaped', () => {
  assert.equal(subjectString('web1.example.net', {}), '/CN=web1.example.net');
  assert.equal(subjectString('w', { O: 'A/B', C: 'DE', OU: 'x=y+z', ST: null, L: '' }), '/C=DE/O=A\\/B/OU=x\\=y\\+z/CN=w');
});

test('EC key made once (0600), CSR for it, certificate installed only when it matches and verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-provision-ssl-'));
  try {
    const files = sslFiles(join(dir, 'ssl'), 'web1');
    const first = await ensureKey(openssl, files, 'ec');
    assert.equal(first.created, true);
    assert.equal(statSync(files.key).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'ssl', 'private_keys')).mode & 0o777, 0o700);
    assert.match(sh(['pkey', '-in', files.key, '-noout', '-text'], dir), /ASN1 OID: prime256v1/);
    const again = await ensureKey(openssl, files, 'rsa');
    assert.deepEqual(again, { publicKey: first.publicKey, created: false }, 'an existing key is kept, whatever key_type says now');
    assert.equal(readFileSync(files.publicKey, 'utf8'), first.publicKey);

    const csr = await generateCsr(openssl, files, 'web1', { O: 'Example Ltd', C: 'GB' });
    writeFileSync(join(dir, 'req.pem'), csr);
    assert.match(sh(['req', '-in', 'req.pem', '-noout', '-subject'], dir), /C ?= ?GB, O ?= ?Example Ltd, CN ?= ?web1/);
    assert.equal(readFileSync(files.csr, 'utf8'), csr);

    sh(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=ca', '-days', '1'], dir);
    sh(['x509', '-req', '-in', 'req.pem', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '7', '-days', '1', '-out', 'cert.pem'], dir);
    const certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');

    await assert.rejects(installCertificate(openssl, files, 'web1', 'not a pem', ca), (err: unknown) => err instanceof AgentError && err.status === 4 && /certificate is not a PEM X\.509 certificate/.test(err.message));
    await assert.rejects(installCertificate(openssl, files, 'web1', ca, ca), /does not match this node's private key/);
    assert.equal(await installedFingerprint(files), '');

    const installed = await installCertificate(openssl, files, 'web1', certificate, ca);
    assert.equal(installed.changed, true);
    assert.equal(installed.fingerprint, sh(['x509', '-in', 'cert.pem', '-noout', '-fingerprint', '-sha256'], dir).trim().replace(/^.*=/, ''));
    assert.equal(await installedFingerprint(files), installed.fingerprint);
    assert.equal((await installCertificate(openssl, files, 'web1', certificate, ca)).changed, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing openssl command says what to install or set', async () => {
  await assert.rejects(opensslRunner('/nonexistent/openssl')(['version']), /the openssl command '\/nonexistent\/openssl' was not found; install openssl or set provisioning\.openssl_command/);
});
