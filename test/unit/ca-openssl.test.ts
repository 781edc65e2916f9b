// The ca agent's openssl backend against a CA directory in a temp dir, with the
// real openssl CLI: init, sign, idempotent re-sign, refusals, clean, list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:tls';
import { join } from 'node:path';
import { AgentError } from '../../packages/agents/src/errors.ts';
import { opensslBackend } from '../../packages/agents/src/ca/openssl/backend.ts';
import { readIndex } from '../../packages/agents/src/ca/openssl/index-file.ts';
import { makeCsr, makeKey, openssl, tempDir, verify } from './ca-fakes.js';

const signal = new AbortController().signal;
const work = tempDir('cohort-ca-openssl-');

function backend(dir: string, extra: { init?: boolean; now?: () => Date } = {}) {
  return opensslBackend({ command: 'openssl', dir, init: extra.init ?? true, days: 30, identity: 'ca1', ...(extra.now ? { now: extra.now } : {}) });
}

async function failure(promise: Promise<unknown>): Promise<AgentError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AgentError, `expected an AgentError, got ${String(err)}`);
  return err;
}

test('init: the first use creates a CA: key 0600 in a 0700 directory, self-signed CA certificate', async () => {
  const dir = join(work, 'init');
  const info = await backend(dir).info(signal);
  assert.equal(statSync(join(dir, 'ca.key')).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const cert = new X509Certificate(info.ca);
  assert.equal(cert.ca, true);
  assert.equal(cert.subject.includes('CN=Cohort CA ca1'), true, cert.subject);
  assert.equal(cert.checkIssued(cert), true, 'self-signed');
  assert.equal(info.fingerprint, cert.fingerprint256);
  assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), info.ca);
  // Using it again keeps the same CA.
  assert.equal((await backend(dir).info(signal)).fingerprint, info.fingerprint);
});

test('init: false refuses to create a CA and says how to get one', async () => {
  const err = await failure(backend(join(work, 'no-init'), { init: false }).info(signal));
  assert.match(err.message, /no CA in .*no-init.*ca\.init: true/);
  assert.equal(existsSync(join(work, 'no-init', 'ca.key')), false);
});

test('sign: a CSR whose CN is the certname gets a TLS client+server certificate that verifies against the CA', async () => {
  const dir = join(work, 'sign');
  const ca = backend(dir);
  const key = makeKey(work, 'node1', 'rsa');
  const signed = await ca.sign('node1.example', makeCsr(key, '/CN=node1.example/O=Example'), signal);
  assert.match(verify(work, signed.ca, signed.certificate), /OK/);
  const cert = new X509Certificate(signed.certificate);
  assert.equal(cert.serialNumber.toUpperCase(), signed.serial);
  assert.match(cert.subject, /CN=node1\.example/);
  assert.equal(cert.subjectAltName, 'DNS:node1.example');
  assert.equal(cert.ca, false);
  const ext = openssl(['x509', '-noout', '-ext', 'keyUsage,extendedKeyUsage,basicConstraints'], signed.certificate);
  assert.match(ext, /Digital Signature, Key Encipherment/);
  assert.match(ext, /TLS Web Server Authentication, TLS Web Client Authentication/);
  assert.match(ext, /CA:FALSE/);
  // The certificate is for the CSR's key.
  const pub = openssl(['pkey', '-in', key, '-pubout']);
  assert.equal(cert.publicKey.export({ type: 'spki', format: 'pem' }), pub);
  assert.equal(readFileSync(join(dir, 'issued', 'node1.example.pem'), 'utf8'), signed.certificate);
});

test('sign: the same name and key again returns the existing certificate (also from a fresh CSR of that key)', async () => {
  const ca = backend(join(work, 'idem'));
  const key = makeKey(work, 'idem');
  const first = await ca.sign('idem.example', makeCsr(key, '/CN=idem.example'), signal);
  const again = await ca.sign('idem.example', makeCsr(key, '/CN=idem.example'), signal);
  assert.deepEqual(again, first);
  const index = await readIndex(join(work, 'idem', 'index.json'));
  assert.deepEqual(Object.keys(index.issued), ['idem.example']);
  assert.equal(index.issued['idem.example']?.serial, first.serial);
});

test('sign: a name already signed for another key is refused until cleaned', async () => {
  const ca = backend(join(work, 'other-key'));
  await ca.sign('twin.example', makeCsr(makeKey(work, 'twin-a'), '/CN=twin.example'), signal);
  const err = await failure(ca.sign('twin.example', makeCsr(makeKey(work, 'twin-b'), '/CN=twin.example'), signal));
  assert.equal(err.status, 1);
  assert.match(err.message, /twin\.example already has a certificate .* different key; clean it first/);
});

test('sign: an expired certificate does not free its name for another key (only clean does)', async () => {
  let now = new Date();
  const ca = backend(join(work, 'expired-other'), { now: () => now });
  await ca.sign('kept.example', makeCsr(makeKey(work, 'kept-a'), '/CN=kept.example'), signal);
  now = new Date(Date.now() + 31 * 86400_000);
  const err = await failure(ca.sign('kept.example', makeCsr(makeKey(work, 'kept-b'), '/CN=kept.example'), signal));
  assert.equal(err.status, 1);
  assert.match(err.message, /kept\.example already has a certificate .* different key; clean it first/);
});

test('sign: refuses a CN that is not the certname, a CSR that is not one, and a missing CSR', async () => {
  const ca = backend(join(work, 'refuse'));
  const key = makeKey(work, 'refuse');
  const mismatch = await failure(ca.sign('right.example', makeCsr(key, '/CN=wrong.example'), signal));
  assert.equal(mismatch.status, 1);
  assert.match(mismatch.message, /CN 'wrong\.example' does not match certname 'right\.example'/);
  const noCn = await failure(ca.sign('right.example', makeCsr(key, '/O=NoCommonName'), signal));
  assert.equal(noCn.status, 4);
  assert.match(noCn.message, /exactly one CN/);
  const garbage = await failure(ca.sign('right.example', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', signal));
  assert.equal(garbage.status, 4);
  assert.match(garbage.message, /not a valid certificate signing request/);
  const notPem = await failure(ca.sign('right.example', 'hello', signal));
  assert.equal(notPem.status, 4);
  const missing = await failure(ca.sign('right.example', undefined, signal));
  assert.equal(missing.status, 3);
  assert.match(missing.message, /pass csr=/);
  assert.deepEqual((await ca.list(signal)).signed, []);
});

test('clean: revokes and removes; true once, then false; the name can be signed again with a new key', async () => {
  const dir = join(work, 'clean');
  const ca = backend(dir);
  const first = await ca.sign('gone.example', makeCsr(makeKey(work, 'gone-a'), '/CN=gone.example'), signal);
  await ca.sign('stays.example', makeCsr(makeKey(work, 'stays'), '/CN=stays.example'), signal);
  assert.deepEqual(await ca.list(signal), { requests: [], signed: ['gone.example', 'stays.example'] });

  assert.equal(await ca.clean('gone.example', signal), true);
  assert.equal(await ca.clean('gone.example', signal), false);
  assert.equal(await ca.clean('never.example', signal), false);
  assert.deepEqual(await ca.list(signal), { requests: [], signed: ['stays.example'] });
  assert.equal(existsSync(join(dir, 'issued', 'gone.example.pem')), false);
  assert.equal(readFileSync(join(dir, 'revoked', `${first.serial}.pem`), 'utf8'), first.certificate);
  const index = await readIndex(join(dir, 'index.json'));
  assert.deepEqual(index.revoked.map((r) => [r.certname, r.serial]), [['gone.example', first.serial]]);

  const again = await ca.sign('gone.example', makeCsr(makeKey(work, 'gone-b'), '/CN=gone.example'), signal);
  assert.notEqual(again.serial, first.serial);
});

test('sign: an expired certificate for the same key is replaced by a new one', async () => {
  let now = new Date();
  const ca = backend(join(work, 'expiry'), { now: () => now });
  const key = makeKey(work, 'expiry');
  const first = await ca.sign('old.example', makeCsr(key, '/CN=old.example'), signal);
  now = new Date(Date.now() + 31 * 86400_000);
  const renewed = await ca.sign('old.example', makeCsr(key, '/CN=old.example'), signal);
  assert.notEqual(renewed.serial, first.serial);
  const index = await readIndex(join(work, 'expiry', 'index.json'));
  assert.deepEqual(index.revoked.map((r) => r.serial), [first.serial]);
});

test('a damaged index is an error naming the file, never silently reset', async () => {
  const dir = join(work, 'damaged');
  const ca = backend(dir);
  await ca.sign('a.example', makeCsr(makeKey(work, 'damaged'), '/CN=a.example'), signal);
  writeFileSync(join(dir, 'index.json'), '{"version": 1, "issued": ');
  const err = await failure(ca.list(signal));
  assert.match(err.message, /index\.json is not valid JSON/);
});

test('issued certificates work as TLS server and client certificates (mutual TLS, both verified against the CA)', async () => {
  const ca = backend(join(work, 'tls'));
  const serverKey = makeKey(work, 'tls-server');
  const clientKey = makeKey(work, 'tls-client', 'rsa');
  const server = await ca.sign('localhost', makeCsr(serverKey, '/CN=localhost'), signal);
  const client = await ca.sign('client1.example', makeCsr(clientKey, '/CN=client1.example'), signal);
  const tlsServer = createServer({ key: readFileSync(serverKey), cert: server.certificate, ca: server.ca, requestCert: true, rejectUnauthorized: true }, (socket) => {
    socket.end(`hello ${String(socket.getPeerCertificate().subject.CN)}`);
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  try {
    const port = (tlsServer.address() as { port: number }).port;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', key: readFileSync(clientKey), cert: client.certificate, ca: client.ca }, () => {
        assert.equal(socket.authorized, true, String(socket.authorizationError));
      });
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('TLS exchange did not finish within 10 s')), 10_000).unref();
    });
    assert.equal(reply, 'hello client1.example');
  } finally {
    tlsServer.close();
  }
});
