// The client config: known keys, their forms, core's layering (file < env < flags) and refusals naming key and source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientConfigSpec } from '@cohort/core';
import { loadServerConfig } from '@cohort/agents';
import { clientDefaults } from '@cohort/client';
import { loadClientConfig, parseClientConfig, parseDuration } from '@cohort/cli';

const file = '/etc/cohort/client.yaml';

test('every documented key is read', () => {
  const c = parseClientConfig(
    'nats:\n  servers: [nats://a:4222, "nats://b:4222,nats://c:4222"]\ncollective: dc1\ncallerid: user=alice\ndiscovery_timeout: 1.5\ndiscovery_window: 200\nddl_dirs: [ddl, /abs/ddl]\n',
    file,
  );
  assert.deepEqual(
    { servers: c.servers, collective: c.collective, callerid: c.callerid, discoveryTimeout: c.discoveryTimeout, discoveryWindow: c.discoveryWindow, ddlDirs: c.ddlDirs },
    {
      servers: ['nats://a:4222', 'nats://b:4222', 'nats://c:4222'],
      collective: 'dc1',
      callerid: 'user=alice',
      discoveryTimeout: 1.5,
      discoveryWindow: 0.2,
      ddlDirs: ['/etc/cohort/ddl', '/abs/ddl'],
    },
  );
});

test('nats may be a single URL; durations may carry units; an empty file gives the spec defaults', () => {
  const c = parseClientConfig('nats: nats://x:1\ndiscovery_timeout: 500ms\ndiscovery_window: 1s\n', file);
  assert.deepEqual([c.servers, c.discoveryTimeout, c.discoveryWindow], [['nats://x:1'], 0.5, 1]);
  const empty = parseClientConfig('', file);
  assert.deepEqual(
    { servers: empty.servers, collective: empty.collective, callerid: empty.callerid, discoveryTimeout: empty.discoveryTimeout, discoveryWindow: empty.discoveryWindow, ddlDirs: empty.ddlDirs, kv: empty.kv },
    {
      servers: clientConfigSpec.nats.servers.default,
      collective: clientConfigSpec.collective.default,
      callerid: undefined,
      discoveryTimeout: clientDefaults.discoveryTimeout,
      discoveryWindow: clientDefaults.discoveryWindow,
      ddlDirs: [],
      kv: { bucket: undefined, history: 10, replicas: 1 },
    },
  );
});

test("unknown keys are refused in the server's words: the file, the key and a suggestion", () => {
  assert.throws(
    () => parseClientConfig('colective: x\n', file),
    (err: Error & { code?: string }) => err.code === 'CONFIG' && err.message === `config ${file}: unknown key 'colective' (did you mean 'collective'?)`,
  );
  assert.throws(() => parseClientConfig('nats: { url: x }\n', file), /nats\.url/);
  // The same typo in cohortd's config reads the same (core's validateLayer words both).
  assert.throws(() => loadServerConfig({ file: writeTemp('nats: { servres: [nats://a:1] }\n'), env: {} }), /unknown key 'nats\.servres' \(did you mean 'nats\.servers'\?\)/);
  assert.throws(() => parseClientConfig('nats: { servres: [nats://a:1] }\n', file), /^ConfigError: config \/etc\/cohort\/client\.yaml: unknown key 'nats\.servres' \(did you mean 'nats\.servers'\?\)$/);
});

test('wrong types are refused naming the key', () => {
  assert.throws(() => parseClientConfig('callerid: alice\n', file), /callerid/);
  assert.throws(() => parseClientConfig('discovery_timeout: soon\n', file), /config \/etc\/cohort\/client\.yaml: key 'discovery_timeout' must be seconds or a duration like 1500ms \(got "soon"\)/);
  assert.throws(() => parseClientConfig('discovery_timeout: 0\n', file), /key 'discovery_timeout' must be above 0/);
  assert.throws(() => parseClientConfig('ddl_dirs: 3\n', file), /ddl_dirs/);
  assert.throws(() => parseClientConfig('- a\n- b\n', file), /mapping/);
  assert.throws(() => parseClientConfig('a: [\n', file), /not valid YAML/);
});

test('an explicit config file must exist; the default one is optional', () => {
  const home = mkdtempSync(join(tmpdir(), 'cohort-home-'));
  assert.equal(loadClientConfig({ env: {}, home }).file, undefined);
  assert.throws(() => loadClientConfig({ file: join(home, 'missing.yaml'), env: {}, home }), /does not exist \(given by --config\)/);
  assert.throws(() => loadClientConfig({ env: { COHORT_CONFIG: join(home, 'nope.yaml') }, home }), /COHORT_CONFIG/);
  const f = join(home, 'c.yaml');
  writeFileSync(f, 'collective: x\n');
  const c = loadClientConfig({ env: { COHORT_CONFIG: f }, home });
  assert.deepEqual([c.file, c.collective], [f, 'x']);
  mkdirSync(join(home, '.config', 'cohort'), { recursive: true });
  writeFileSync(join(home, '.config', 'cohort', 'client.yaml'), 'collective: y\n');
  assert.equal(loadClientConfig({ env: {}, home }).collective, 'y');
});

test('layers: defaults < file < environment < flags, each checked and named when wrong', () => {
  const home = mkdtempSync(join(tmpdir(), 'cohort-home-'));
  const f = join(home, 'c.yaml');
  writeFileSync(f, 'nats: nats://file:1\ncollective: filec\nkey: keys/me.key\ndiscovery_window: 100\n');
  const fileOnly = loadClientConfig({ file: f, env: {}, home });
  assert.deepEqual([fileOnly.servers, fileOnly.collective, fileOnly.security.key, fileOnly.discoveryWindow], [['nats://file:1'], 'filec', join(home, 'keys/me.key'), 0.1]);
  const env = { COHORT_NATS: 'nats://env:1, nats://env:2', COHORT_KEY: '/env.key' };
  const withEnv = loadClientConfig({ file: f, env, home });
  assert.deepEqual([withEnv.servers, withEnv.security.key, withEnv.collective], [['nats://env:1', 'nats://env:2'], '/env.key', 'filec']);
  const withFlags = loadClientConfig({ file: f, env, home, cwd: '/work', flags: { nats: { servers: ['nats://flag:1'] }, collective: 'flagc', key: 'rel.key', discovery_window: '2s' } });
  assert.deepEqual([withFlags.servers, withFlags.collective, withFlags.security.key, withFlags.discoveryWindow], [['nats://flag:1'], 'flagc', '/work/rel.key', 2]);
  assert.throws(() => loadClientConfig({ env: { COHORT_NATS: 'http://x/y' }, home }), /^ConfigError: environment COHORT_NATS: key 'nats\.servers' must be a list of URLs/);
  assert.throws(() => loadClientConfig({ env: {}, home, flags: { collective: 'bad!' } }), /^ConfigError: command line: key 'collective' must be a collective name \(letters, digits, _ and -\) \(got "bad!"\)$/);
  assert.throws(() => loadClientConfig({ env: {}, home, flags: { discovery_timeout: 'soon' } }), /^ConfigError: command line: key 'discovery_timeout' must be seconds or a duration like 1500ms \(got "soon"\)$/);
  assert.throws(() => loadClientConfig({ env: {}, home, flags: { jobs: { max_age: 'forever' } } }), /command line: key 'jobs\.max_age' must be an age/);
});

test('a NATS login from the environment or a flag replaces the file\'s login; TLS stays', () => {
  const home = mkdtempSync(join(tmpdir(), 'cohort-home-'));
  const f = join(home, 'c.yaml');
  writeFileSync(f, 'nats: { servers: [tls://n:1], tls: { ca: ca.pem }, creds: u.creds }\n');
  assert.deepEqual(loadClientConfig({ file: f, env: {}, home }).security.bus, { tls: { ca: join(home, 'ca.pem') }, creds: join(home, 'u.creds') });
  assert.deepEqual(loadClientConfig({ file: f, env: { COHORT_NATS_USER: 'op', COHORT_NATS_PASSWORD: 'pw' }, home }).security.bus, {
    tls: { ca: join(home, 'ca.pem') },
    user: 'op',
    password: 'pw',
  });
  assert.deepEqual(loadClientConfig({ file: f, env: {}, home, flags: { nats: { token: 't' } } }).security.bus, { tls: { ca: join(home, 'ca.pem') }, token: 't' });
});

test('parseDuration: bare numbers in the given unit, or with ms/s/m', () => {
  assert.equal(parseDuration('2', 's', 'x'), 2);
  assert.equal(parseDuration('300', 'ms', 'x'), 0.3);
  assert.equal(parseDuration('1500ms', 's', 'x'), 1.5);
  assert.equal(parseDuration('2s', 'ms', 'x'), 2);
  assert.equal(parseDuration('1m', 's', 'x'), 60);
  assert.throws(() => parseDuration('-1', 's', '--dt'), /--dt/);
  assert.throws(() => parseDuration('soon', 's', '--dt'), /--dt/);
});

function writeTemp(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'cohort-cfg-')), 'c.yaml');
  writeFileSync(f, text);
  return f;
}
