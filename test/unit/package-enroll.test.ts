// cohortd enroll's pure parts: the enrollment token (signed, tamper-evident,
// pinned to a key), the clock check it allows, the config it writes, the
// environment file of secrets and the diagnosis of a failed NATS check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSigner, generateKeyPair, publicKeyHex } from '@cohort/core';
import {
  diagnoseNatsFailure,
  enrolledConfig,
  enrollEnvironment,
  enrollPaths,
  makeEnrollToken,
  mergeEnvironmentFile,
  openEnrollToken,
  tokenTimeProblem,
} from '../../packages/server/src/enroll/index.ts';

const pair = generateKeyPair();
const signer = createSigner(pair.privateKey, 'provisioner=eu-1');
const t0 = Date.parse('2026-01-01T00:00:00Z');
const hour = 3_600_000;
const token = makeEnrollToken(signer, { nats: ['tls://bus:4222'], ca: 'PEM', nats_user: 'provisioning', nats_password: 'pw', token: 's3cret', issued: t0, expires: t0 + 24 * hour });

test('a token opens to what was put in, bound to the signing key and caller id', () => {
  const p = openEnrollToken(token);
  assert.equal(p.provisioner, 'provisioner=eu-1');
  assert.equal(p.public_key, publicKeyHex(pair.privateKey));
  assert.deepEqual(p.nats, ['tls://bus:4222']);
  assert.equal(p.nats_password, 'pw');
  assert.equal(openEnrollToken(`  ${token}\n`).token, 's3cret', 'surrounding white space (a pasted line) is fine');
});

test('a changed, cut or foreign token is a wrong token, saying so', () => {
  const [head, body, sig] = [token.slice(0, 16), token.slice(16).split('.')[0]!, token.split('.').at(-1)!];
  // The payload changed (another bus), signature kept.
  const forged = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
  forged['nats'] = ['nats://evil:4222'];
  assert.throws(() => openEnrollToken(`${head}${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`), /wrong token: its signature does not match/);
  assert.throws(() => openEnrollToken(token.slice(0, -4)), /wrong token: it is not <payload>\.<signature>/);
  assert.throws(() => openEnrollToken('hello'), /wrong token: it does not start with cohort-enroll-1\./);
  assert.throws(() => openEnrollToken(`${head}${body.slice(5)}.${sig}`), /wrong token/);
  const other = generateKeyPair();
  assert.throws(() => openEnrollToken(token, publicKeyHex(other.privateKey)), /wrong token: signed by key .* expects the provisioner key/);
  assert.equal(openEnrollToken(token, publicKeyHex(pair.privateKey)).provisioner, 'provisioner=eu-1');
});

test('clock: a token from the future means this clock is behind; past expiry it is expired (or this clock is ahead)', () => {
  const p = openEnrollToken(token);
  assert.equal(tokenTimeProblem(p, t0 + hour, 60_000), undefined);
  assert.equal(tokenTimeProblem(p, t0 - 30_000, 60_000), undefined, 'within the allowed skew');
  assert.match(tokenTimeProblem(p, t0 - 10 * 60_000, 60_000) ?? '', /^clock skew: this machine's clock .* is at least 600 s behind the provisioner's.*timedatectl set-ntp true/);
  assert.match(tokenTimeProblem(p, t0 + 25 * hour, 60_000) ?? '', /^the token expired at 2026-01-02T00:00:00\.000Z .*make a new one/);
});

test('the enrolled config: bus, CA, bootstrap user, provisioning mode for the token\'s provisioner, signed mode; no secrets; other settings kept', () => {
  const p = openEnrollToken(token);
  const current = {
    identity: 'web9',
    logging: { level: 'debug' },
    nats: { servers: ['nats://old:4222'], password: 'old-secret', tls: { cert: '/etc/cohort/c.pem' } },
    security: { mode: 'unsigned', trusted_keys_dir: 'keys', audit_file: '/var/log/cohort/audit.log' },
    provisioning: { ssl_dir: '/srv/ssl', token: 'old' },
  };
  const paths = enrollPaths('/etc/cohort/server.yaml', current, p.provisioner);
  assert.deepEqual(paths, { config: '/etc/cohort/server.yaml', ca: '/etc/cohort/bus-ca.pem', trustedKeysDir: '/etc/cohort/keys', provisionerKey: '/etc/cohort/keys/provisioner=eu-1.pub' });
  assert.deepEqual(enrolledConfig(current, p, paths, {}), {
    identity: 'web9',
    logging: { level: 'debug' },
    nats: { servers: ['tls://bus:4222'], tls: { cert: '/etc/cohort/c.pem', ca: '/etc/cohort/bus-ca.pem' }, user: 'provisioning' },
    security: { mode: 'signed', trusted_keys_dir: '/etc/cohort/keys', audit_file: '/var/log/cohort/audit.log' },
    provisioning: { ssl_dir: '/srv/ssl', enabled: true, provisioners: ['provisioner=eu-1'] },
  });
  const overridden = enrolledConfig({}, p, enrollPaths('/tmp/x/n.yaml', {}, p.provisioner), { nats: ['nats://10.0.0.1:4222'], identity: 'fresh1', facts: ['/etc/cohort/facts.yaml'] });
  assert.deepEqual(overridden['facts'], ['/etc/cohort/facts.yaml']);
  assert.deepEqual((overridden['nats'] as { servers: string[] }).servers, ['nats://10.0.0.1:4222']);
  assert.equal(overridden['identity'], 'fresh1');
  assert.equal(((overridden['security'] as Record<string, unknown>)['trusted_keys_dir']), '/tmp/x/trusted_keys');
});

test('secrets go to the environment file, replacing their old lines and keeping the others, quoted as systemd reads them', () => {
  const env = enrollEnvironment(openEnrollToken(token));
  assert.deepEqual(env, { COHORT_NATS_PASSWORD: 'pw', COHORT_PROVISIONING_TOKEN: 's3cret' });
  assert.equal(mergeEnvironmentFile('# mine\nCOHORT_NATS_PASSWORD=old\nOTHER=1\n', env), '# mine\nOTHER=1\nCOHORT_NATS_PASSWORD=pw\nCOHORT_PROVISIONING_TOKEN=s3cret\n');
  assert.equal(mergeEnvironmentFile('', { X: 'a "b" \\c d' }), 'X="a \\"b\\" \\\\c d"\n');
  assert.throws(() => mergeEnvironmentFile('', { X: 'a\nb' }), /line break/);
});

test('a failed NATS check says what to fix', () => {
  const servers = ['tls://bus:4222'];
  assert.match(diagnoseNatsFailure('no NATS server ... (CONNECTION_REFUSED)', servers, true), /^cannot reach NATS at tls:\/\/bus:4222: check the URL/);
  assert.match(diagnoseNatsFailure('self-signed certificate in certificate chain', servers, true), /^unknown CA: .* not signed by the CA in the token/);
  assert.match(diagnoseNatsFailure('unable to verify the first certificate', servers, false), /^unknown CA: .* a CA this machine does not trust; make the token with --ca/);
  assert.match(diagnoseNatsFailure('certificate is not yet valid', servers, true), /^clock skew: /);
  assert.match(diagnoseNatsFailure("'Authorization Violation'", servers, true), /^wrong token: the NATS server .* refused the bootstrap credentials/);
  assert.match(diagnoseNatsFailure("Hostname/IP does not match certificate's altnames", servers, true), /not for the name in the URL/);
});
