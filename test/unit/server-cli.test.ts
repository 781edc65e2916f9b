import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cohort/core/log';
import { ExitCode, flagsToSettings, helpEpilogue, main, RateLimitedLog } from '@cohort/server';

test('flags map onto config keys; repeatable flags also take comma lists', () => {
  assert.deepEqual(
    flagsToSettings({
      identity: 'n1',
      nats: ['nats://a:4222,nats://b:4222', 'nats://c:4222'],
      facts: ['a.yaml', 'b.yaml'],
      classes: 'classes.txt',
      collective: ['cohort', 'dc1'],
      'plugin-dir': ['/agents'],
      'log-level': 'debug',
      'log-format': 'json',
    }),
    {
      identity: 'n1',
      nats: { servers: ['nats://a:4222', 'nats://b:4222', 'nats://c:4222'] },
      facts: ['a.yaml', 'b.yaml'],
      classes_file: 'classes.txt',
      collectives: ['cohort', 'dc1'],
      plugin_dirs: ['/agents'],
      logging: { level: 'debug', format: 'json' },
    },
  );
  assert.deepEqual(flagsToSettings({}), {});
});

test('help explains the file format, every setting, the environment and exit codes', () => {
  const help = helpEpilogue();
  for (const needle of ['collectives: [cohort, dc1]', 'nats.servers = ', 'COHORTD_CONFIG', 'COHORT_IDENTITY', 'COHORT_NATS', 'COHORT_LOG_LEVEL', 'SIGHUP', 'Exit codes']) {
    assert.ok(help.includes(needle), `help mentions ${needle}`);
  }
});

test('bad usage and bad configuration exit 2 before connecting to anything', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cohortd-cli-')), 'server.yaml');
  writeFileSync(file, 'identity: x\ncolectives: [a]\n');
  const write = process.stderr.write;
  const errors: string[] = [];
  process.stderr.write = ((chunk: string) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(['--config', file], {}), ExitCode.Usage);
    assert.equal(await main(['--no-such-flag'], {}), ExitCode.Usage);
    assert.equal(await main(['--facts', '/nonexistent/facts.yaml', '--nats', 'nats://127.0.0.1:1', '--log-level', 'error'], {}), ExitCode.Usage);
  } finally {
    process.stderr.write = write;
  }
  assert.match(errors[0] ?? '', /^cohortd: config .*server\.yaml: unknown key 'colectives' \(did you mean 'collectives'\?\)/);
  assert.match(errors[1] ?? '', /Unknown argument: no-such-flag \(see cohortd --help\)/);
  assert.match(errors[2] ?? '', /^cohortd: facts file \/nonexistent\/facts\.yaml: cannot read it/);
});

test('RateLimitedLog logs a key once per interval, then counts what it suppressed', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn' });
  log.warn = ((message: string) => (lines.push(message), log)) as typeof log.warn;
  let now = 0;
  const limited = new RateLimitedLog(log, 1000, () => now);
  limited.warn('invalid', 'bad message 1');
  limited.warn('invalid', 'bad message 2');
  limited.warn('ttl', 'old message');
  now = 1500;
  limited.warn('invalid', 'bad message 3');
  assert.deepEqual(lines, ['bad message 1', 'old message', 'bad message 3 (1 similar suppressed)']);
});
