// The security: and nats: configuration of cohortd, secret redaction for
// rpcutil get_config_item, and resolving NATS TLS/credentials settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configValue, redactSecrets, resolveBusAuth } from '@cohort/core';
import { loadServerConfig, serverConfigSpec } from '@cohort/agents';
import { parseClientConfig } from '@cohort/cli';

test('a new install is secure by default: signed mode, default deny once policies are on', () => {
  const { config } = loadServerConfig({ env: {} });
  assert.equal(config.security.mode, 'signed');
  assert.equal(config.security.default_policy, 'deny');
  assert.equal(config.security.replay_cache_size, 100_000);
  assert.deepEqual(config.security.issuers, []);
  assert.equal(config.nats.tls.ca, null);
});

test('security and nats settings from a file: relative paths resolve against it; typos are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-seccfg-'));
  const file = join(dir, 'server.yaml');
  writeFileSync(
    file,
    'security:\n  mode: unsigned\n  trusted_keys_dir: keys\n  issuers: [issuer.pub]\n  policy_dir: /etc/cohort/policies\n  audit_file: audit.log\n' +
      'nats:\n  servers: [tls://n1:4222]\n  tls: { ca: ca.pem, cert: node.pem, key: node-key.pem }\n  user: cohortd\n  password: s3cret\n',
  );
  const { config } = loadServerConfig({ file, env: {} });
  assert.equal(config.security.mode, 'unsigned');
  assert.equal(config.security.trusted_keys_dir, join(dir, 'keys'));
  assert.deepEqual(config.security.issuers, [join(dir, 'issuer.pub')]);
  assert.equal(config.security.audit_file, join(dir, 'audit.log'));
  assert.equal(config.nats.tls.ca, join(dir, 'ca.pem'));
  assert.equal(config.nats.password, 's3cret');
  writeFileSync(file, 'security:\n  mode: open\n');
  assert.throws(() => loadServerConfig({ file, env: {} }), /key 'security\.mode' must be 'signed' or 'unsigned'/);
  writeFileSync(file, 'security:\n  policy_dirs: x\n');
  assert.throws(() => loadServerConfig({ file, env: {} }), /did you mean 'security\.policy_dir'/);
  assert.equal(loadServerConfig({ env: { COHORT_SECURITY_MODE: 'unsigned', COHORT_NATS_PASSWORD: 'p' } }).config.nats.password, 'p');
});

test('rpcutil get_config_item never hands out the NATS password or token, even inside a section', () => {
  const { config } = loadServerConfig({ env: {}, flags: { nats: { user: 'u', password: 'hunter2', token: null } } });
  const ask = (key: string) => redactSecrets(key, configValue(serverConfigSpec, config, key));
  assert.deepEqual(ask('nats.password'), { found: true, value: '[redacted]' });
  assert.deepEqual(ask('nats.token'), { found: true, value: null }, 'an unset secret stays null');
  assert.deepEqual(ask('nats.user'), { found: true, value: 'u' });
  const section = ask('nats');
  assert.ok(section.found);
  assert.equal((section.value as { password: unknown }).password, '[redacted]');
  assert.equal(JSON.stringify(section.value).includes('hunter2'), false);
  assert.equal((config.nats as { password: unknown }).password, 'hunter2', 'the config itself is untouched');
});

test('resolveBusAuth: TLS files and one login method, read and checked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-busauth-'));
  for (const f of ['ca.pem', 'c.pem', 'k.pem', 'u.creds']) writeFileSync(join(dir, f), 'x');
  writeFileSync(join(dir, 'seed'), 'SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY\n');
  const tls = resolveBusAuth({ tls: { ca: join(dir, 'ca.pem'), cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') }, user: 'u', password: 'p' });
  assert.deepEqual(tls.tls, { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') });
  assert.equal(tls.user, 'u');
  assert.match(tls.summary, /TLS \(CA, client certificate\), user\/password/);
  assert.equal(new TextDecoder().decode(resolveBusAuth({ creds: join(dir, 'u.creds') }).creds), 'x');
  assert.equal(new TextDecoder().decode(resolveBusAuth({ nkey: join(dir, 'seed') }).nkeySeed).slice(0, 2), 'SU');
  assert.equal(resolveBusAuth({}).summary, 'no TLS, no credentials');
  assert.throws(() => resolveBusAuth({ user: 'u' }), /needs a password/);
  assert.throws(() => resolveBusAuth({ token: 't', creds: join(dir, 'u.creds') }), /one way to log in/);
  assert.throws(() => resolveBusAuth({ tls: { key: join(dir, 'k.pem') } }), /needs its key/);
  assert.throws(() => resolveBusAuth({ tls: { ca: join(dir, 'missing.pem') } }, 'config nats'), /^ConfigError: config nats: cannot read the TLS CA file .*missing\.pem/);
});

test('client config: key, certificate, issuers, node keys and NATS credentials', () => {
  const c = parseClientConfig(
    'key: ~/keys/alice.key\ncertificate: alice.cert\nissuers: [issuer.pub]\nnode_keys_dir: nodes\nverify_replies: true\n' +
      'nats:\n  servers: [tls://n:4222]\n  tls: { ca: ca.pem }\n  user: alice\n  password: pw\n',
    '/etc/cohort/client.yaml',
    '/home/alice',
  );
  assert.deepEqual({ ...c.security }, {
    key: '/home/alice/keys/alice.key',
    certificate: '/etc/cohort/alice.cert',
    issuers: ['/etc/cohort/issuer.pub'],
    nodeKeysDir: '/etc/cohort/nodes',
    verifyReplies: true,
    bus: { tls: { ca: '/etc/cohort/ca.pem' }, user: 'alice', password: 'pw' },
  });
  assert.deepEqual(c.servers, ['tls://n:4222']);
  assert.throws(() => parseClientConfig('nats:\n  tls: { cafile: x }\n', '/c.yaml'), /nats\.tls\.cafile/);
  assert.throws(() => parseClientConfig('verify_replies: yes please\n', '/c.yaml'), /verify_replies/);
});
