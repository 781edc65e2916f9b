// The client config file: known keys, their forms, and refusals naming key and file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientConfig, parseClientConfig, parseDuration } from '@cohort/cli';

const file = '/etc/cohort/client.yaml';

test('every documented key is read', () => {
  const c = parseClientConfig(
    'nats:\n  servers: [nats://a:4222, "nats://b:4222,nats://c:4222"]\ncollective: dc1\ncallerid: user=alice\ndiscovery_timeout: 1.5\ndiscovery_window: 200\nddl_dirs: [ddl, /abs/ddl]\n',
    file,
  );
  assert.deepEqual(c, {
    servers: ['nats://a:4222', 'nats://b:4222', 'nats://c:4222'],
    collective: 'dc1',
    callerid: 'user=alice',
    discoveryTimeout: 1.5,
    discoveryWindow: 0.2,
    ddlDirs: ['/etc/cohort/ddl', '/abs/ddl'],
  });
});

test('nats may be a single URL; durations may carry units; empty file is fine', () => {
  assert.deepEqual(parseClientConfig('nats: nats://x:1\ndiscovery_timeout: 500ms\ndiscovery_window: 1s\n', file), {
    servers: ['nats://x:1'],
    discoveryTimeout: 0.5,
    discoveryWindow: 1,
  });
  assert.deepEqual(parseClientConfig('', file), {});
});

test('unknown keys are refused, naming the key, the file and a suggestion', () => {
  assert.throws(
    () => parseClientConfig('colective: x\n', file),
    (err: Error & { code?: string }) => err.code === 'CONFIG' && /colective/.test(err.message) && err.message.includes(file) && /collective/.test(err.message),
  );
  assert.throws(() => parseClientConfig('nats: { url: x }\n', file), /nats\.url/);
});

test('wrong types are refused naming the key', () => {
  assert.throws(() => parseClientConfig('callerid: alice\n', file), /callerid/);
  assert.throws(() => parseClientConfig('discovery_timeout: soon\n', file), /discovery_timeout/);
  assert.throws(() => parseClientConfig('ddl_dirs: 3\n', file), /ddl_dirs/);
  assert.throws(() => parseClientConfig('- a\n- b\n', file), /mapping/);
  assert.throws(() => parseClientConfig('a: [\n', file), /not valid YAML/);
});

test('an explicit config file must exist; the default one is optional', () => {
  const home = mkdtempSync(join(tmpdir(), 'cohort-home-'));
  assert.deepEqual(loadClientConfig(undefined, {}, home), { config: {} });
  assert.throws(() => loadClientConfig(join(home, 'missing.yaml'), {}, home), /does not exist/);
  assert.throws(() => loadClientConfig(undefined, { COHORT_CONFIG: join(home, 'nope.yaml') }, home), /COHORT_CONFIG/);
  const f = join(home, 'c.yaml');
  writeFileSync(f, 'collective: x\n');
  assert.deepEqual(loadClientConfig(undefined, { COHORT_CONFIG: f }, home), { file: f, config: { collective: 'x' } });
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
