import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configValue, describeConfig, logMaxSizeBytes } from '@cohort/core';
import { loadServerConfig, serverConfigSpec } from '@cohort/agents';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cohort-config-test-')), 'server.yaml');
  writeFileSync(file, text);
  return file;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected the configuration to be refused');
}

test('defaults: hostname identity, cohort collective, local NATS, limits', () => {
  const { config, file } = loadServerConfig({ env: {} });
  assert.equal(file, undefined);
  assert.equal(config.identity, hostname());
  assert.deepEqual(config.collectives, ['cohort']);
  assert.deepEqual(config.nats.servers, ['nats://127.0.0.1:4222']);
  assert.deepEqual(config.facts, []);
  assert.equal(config.classes_file, null);
  assert.equal(config.max_concurrency, 16);
  assert.equal(config.max_message_bytes, 1024 * 1024);
  assert.equal(config.shutdown_timeout, 10);
  assert.equal(config.logging.level, 'info');
  assert.equal(config.logging.format, 'text');
});

test('the result is deeply frozen', () => {
  const { config } = loadServerConfig({ env: {} });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.nats));
  assert.ok(Object.isFrozen(config.nats.servers));
});

test('precedence: defaults < file < env < flags', () => {
  const file = configFile('identity: from-file\nnats:\n  servers: [nats://file:4222]\nlogging:\n  level: warn\n  format: json\n');
  const fileOnly = loadServerConfig({ file, env: {} }).config;
  assert.equal(fileOnly.identity, 'from-file');
  assert.deepEqual(fileOnly.nats.servers, ['nats://file:4222']);
  assert.equal(fileOnly.logging.level, 'warn');

  const env = { COHORT_IDENTITY: 'from-env', COHORT_NATS: 'nats://e1:4222, nats://e2:4222', COHORT_LOG_LEVEL: 'debug' };
  const withEnv = loadServerConfig({ file, env }).config;
  assert.equal(withEnv.identity, 'from-env');
  assert.deepEqual(withEnv.nats.servers, ['nats://e1:4222', 'nats://e2:4222']);
  assert.equal(withEnv.logging.level, 'debug');
  assert.equal(withEnv.logging.format, 'json', 'sections merge key by key');

  const withFlags = loadServerConfig({ file, env, flags: { identity: 'from-flag', nats: { servers: ['nats://f:4222'] } } }).config;
  assert.equal(withFlags.identity, 'from-flag');
  assert.deepEqual(withFlags.nats.servers, ['nats://f:4222']);
  assert.equal(withFlags.logging.level, 'debug');
});

test('COHORTD_CONFIG names the file when --config is not given', () => {
  const file = configFile('identity: via-env-file\n');
  const loaded = loadServerConfig({ env: { COHORTD_CONFIG: file } });
  assert.equal(loaded.file, file);
  assert.equal(loaded.config.identity, 'via-env-file');
});

test("the daemon never reads the client's COHORT_CONFIG (a client config would fail as a server config)", () => {
  const clientFile = configFile('collective: cohort\nddl_dirs: [agents]\n');
  const loaded = loadServerConfig({ env: { COHORT_CONFIG: clientFile } });
  assert.equal(loaded.file, undefined);
  const both = loadServerConfig({ env: { COHORT_CONFIG: clientFile, COHORTD_CONFIG: configFile('identity: daemon\n') } });
  assert.equal(both.config.identity, 'daemon');
});

test('relative paths in a config file resolve against its directory', () => {
  const file = configFile('facts: [facts.yaml]\nclasses_file: ./classes.txt\nplugin_dirs: [/abs/agents]\n');
  const dir = join(file, '..');
  const { config } = loadServerConfig({ file, env: {} });
  assert.deepEqual(config.facts, [join(dir, 'facts.yaml')]);
  assert.equal(config.classes_file, join(dir, 'classes.txt'));
  assert.deepEqual(config.plugin_dirs, ['/abs/agents']);
});

test('relative paths in flags resolve against the working directory', () => {
  const { config } = loadServerConfig({ env: {}, flags: { facts: ['f.yaml'], plugin_dirs: ['agents'] }, cwd: '/srv/node' });
  assert.deepEqual(config.facts, ['/srv/node/f.yaml']);
  assert.deepEqual(config.plugin_dirs, ['/srv/node/agents']);
});

test('an unknown key names the file and key and suggests the right one', () => {
  const file = configFile('identity: x\ncolectives: [a]\n');
  const message = refusal(() => loadServerConfig({ file, env: {} }));
  assert.equal(message, `config ${file}: unknown key 'colectives' (did you mean 'collectives'?)`);
});

test('an unknown nested key is named with its section', () => {
  const file = configFile('nats:\n  server: [nats://x:4222]\n');
  assert.match(refusal(() => loadServerConfig({ file, env: {} })), /unknown key 'nats\.server' \(did you mean 'nats\.servers'\?\)/);
});

test('an unknown key with no close match lists the known keys', () => {
  const file = configFile('logging:\n  colour: true\n');
  assert.match(refusal(() => loadServerConfig({ file, env: {} })), /unknown key 'logging\.colour' \(known keys here: logging\.level, logging\.format, logging\.file, logging\.max_size, logging\.max_files\)/);
});

test('wrong types name the key and what it must be', () => {
  const notList = configFile('collectives: cohort\n');
  assert.match(refusal(() => loadServerConfig({ file: notList, env: {} })), new RegExp(`^config ${notList}: key 'collectives' must be a non-empty list`));
  const badUrl = configFile('nats:\n  servers: ["not a url"]\n');
  assert.match(refusal(() => loadServerConfig({ file: badUrl, env: {} })), /key 'nats\.servers' must be a list of URLs .*got \["not a url"\]/);
  const section = configFile('nats: nats://x:4222\n');
  assert.match(refusal(() => loadServerConfig({ file: section, env: {} })), /key 'nats' must be a section/);
  const number = configFile('max_concurrency: 0\n');
  assert.match(refusal(() => loadServerConfig({ file: number, env: {} })), /key 'max_concurrency' must be an integer from 1/);
});

test('the environment and flags are validated too, naming their source', () => {
  assert.match(refusal(() => loadServerConfig({ env: { COHORT_LOG_LEVEL: 'loud' } })), /^environment COHORT_LOG_LEVEL: key 'logging\.level' must be one of/);
  assert.match(refusal(() => loadServerConfig({ env: {}, flags: { nats: { servers: ['x y'] } } })), /^command line: key 'nats\.servers'/);
});

test('identity and collectives must be subject-safe', () => {
  assert.match(refusal(() => loadServerConfig({ env: { COHORT_IDENTITY: 'bad identity' } })), /key 'identity' must use only letters.*'bad identity'/);
  assert.match(refusal(() => loadServerConfig({ env: {}, flags: { identity: 'a..b' } })), /key 'identity'/);
  assert.match(refusal(() => loadServerConfig({ env: {}, flags: { identity: 'web*' } })), /key 'identity'/);
  assert.match(refusal(() => loadServerConfig({ env: {}, flags: { collectives: ['ok', 'dc.1'] } })), /key 'collectives' .*'dc\.1'/);
  assert.equal(loadServerConfig({ env: {}, flags: { identity: 'web-1.example.net' } }).config.identity, 'web-1.example.net');
});

test('unreadable and unparsable files are refused naming the file', () => {
  assert.match(refusal(() => loadServerConfig({ file: '/nonexistent/cohort.yaml', env: {} })), /^config \/nonexistent\/cohort\.yaml: cannot read/);
  const broken = configFile('identity: [unclosed\n');
  const yamlError = refusal(() => loadServerConfig({ file: broken, env: {} }));
  assert.match(yamlError, new RegExp(`^config ${broken}: not valid YAML: .* at line 2, column 1$`));
  const list = configFile('- a\n- b\n');
  assert.match(refusal(() => loadServerConfig({ file: list, env: {} })), /must be a mapping of settings/);
});

test('configValue looks up declared dotted keys only', () => {
  const { config } = loadServerConfig({ env: {}, flags: { identity: 'n1' } });
  assert.deepEqual(configValue(serverConfigSpec, config, 'identity'), { found: true, value: 'n1' });
  assert.deepEqual(configValue(serverConfigSpec, config, 'nats.servers'), { found: true, value: ['nats://127.0.0.1:4222'] });
  assert.deepEqual(configValue(serverConfigSpec, config, 'nats.nope'), { found: false });
  assert.deepEqual(configValue(serverConfigSpec, config, 'toString'), { found: false });
});

test('describeConfig documents every key with its default and variable', () => {
  const text = describeConfig(serverConfigSpec).join('\n');
  for (const key of ['identity', 'collectives', 'facts', 'classes_file', 'plugin_dirs', 'nats.servers', 'logging.level', 'max_concurrency']) {
    assert.match(text, new RegExp(`^  ${key.replace('.', '\\.')} = `, 'm'));
  }
  assert.match(text, /nats\.servers = \[nats:\/\/127\.0\.0\.1:4222\]\s+\(COHORT_NATS, --nats\)/);
});

test('log file rotation: max_size takes bytes, a size with a unit or 0; max_files at least 2', () => {
  const defaults = loadServerConfig({ env: {} }).config.logging;
  assert.equal(logMaxSizeBytes(defaults.max_size), 20 * 1024 * 1024, 'rotate at 20 MiB by default');
  assert.equal(defaults.max_files, 5);
  const sizes: Array<[string, number]> = [['1048576', 1048576], ['10MB', 10_000_000], ['10MiB', 10 * 1024 * 1024], ['512KiB', 512 * 1024], ["'0'", 0], ['0', 0]];
  for (const [text, bytes] of sizes) {
    const { config } = loadServerConfig({ file: configFile(`logging:\n  file: /var/log/cohortd.log\n  max_size: ${text}\n  max_files: 2\n`), env: {} });
    assert.equal(logMaxSizeBytes(config.logging.max_size), bytes, text);
    assert.equal(config.logging.max_files, 2);
  }
  for (const bad of ['10 parsecs', '-5', '100', 'MB', '1.5TB', '""', 'true']) {
    const file = configFile(`logging:\n  max_size: ${bad}\n`);
    assert.match(refusal(() => loadServerConfig({ file, env: {} })), new RegExp(`^config ${file}: key 'logging\\.max_size' must be `), bad);
  }
  // Below 1 KiB (as every size setting) is refused with the reason.
  assert.match(refusal(() => loadServerConfig({ file: configFile('logging:\n  max_size: 100\n'), env: {} })), /key 'logging\.max_size' must be a size: bytes or e\.g\. 512KiB, 10MB, 20MiB \(at least 1 KiB\), or 0 to never rotate \(got 100\)/);
  for (const bad of ['1', '0', '2.5', 'five', '100000']) {
    const file = configFile(`logging:\n  max_files: ${bad}\n`);
    assert.match(refusal(() => loadServerConfig({ file, env: {} })), new RegExp(`^config ${file}: key 'logging\\.max_files' must be an integer from 2 to 1000`), bad);
  }
});
