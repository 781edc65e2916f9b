// Job stream retention: ages, sizes and counts as an operator types them, the
// client config's `jobs:` section, and the errors for bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientConfig } from '@cohort/cli';
import { describeRetention, jobRetentionDefaults, parseAge, parseBytes, parseMessages } from '../../packages/client/src/jobs/index.ts';

test('ages: bare seconds or s/m/h/d units', () => {
  assert.equal(parseAge('90', 'a'), 90);
  assert.equal(parseAge(90, 'a'), 90);
  assert.equal(parseAge('30m', 'a'), 1800);
  assert.equal(parseAge('24h', 'a'), 86400);
  assert.equal(parseAge('7d', 'a'), 7 * 86400);
  assert.equal(parseAge('1.5h', 'a'), 5400);
  for (const bad of ['', 'forever', '0', '0.2s', '-1h', '3w', 'h']) assert.throws(() => parseAge(bad, '--jobs-max-age'), new RegExp(`--jobs-max-age '${bad}' is not an age`));
});

test('sizes: bytes or KB/MB/GB (1000s) and KiB/MiB/GiB (1024s), at least 1 KiB', () => {
  assert.equal(parseBytes('1048576', 'b'), 1048576);
  assert.equal(parseBytes('512KiB', 'b'), 512 * 1024);
  assert.equal(parseBytes('256MiB', 'b'), 256 * 1024 * 1024);
  assert.equal(parseBytes('1gib', 'b'), 1024 ** 3);
  assert.equal(parseBytes('2 MB', 'b'), 2e6);
  for (const bad of ['', 'lots', '100', '1TiB', '-5MiB']) assert.throws(() => parseBytes(bad, '--jobs-max-bytes'), /--jobs-max-bytes '.*' is not a size/);
});

test('message counts: positive whole numbers', () => {
  assert.equal(parseMessages('100000', 'm'), 100000);
  assert.equal(parseMessages('100_000', 'm'), 100000);
  assert.equal(parseMessages(3, 'm'), 3);
  for (const bad of ['0', '-1', '1.5', 'many', '']) assert.throws(() => parseMessages(bad, 'jobs.max_messages'), /jobs.max_messages '.*' must be a whole number/);
});

test('defaults are bounded and described', () => {
  assert.deepEqual({ ...jobRetentionDefaults }, { maxAgeSeconds: 86400, maxBytes: 256 * 1024 * 1024, maxMessages: 100000 });
  assert.equal(describeRetention(jobRetentionDefaults), 'max age 1d, max 256 MiB, max 100000 messages');
  assert.equal(describeRetention({ maxAgeSeconds: 7200, maxBytes: 1500, maxMessages: 3 }), 'max age 2h, max 1500 bytes, max 3 messages');
});

test('the client config file takes a jobs: section', () => {
  const c = parseClientConfig('jobs: { max_age: 3h, max_bytes: 64MiB, max_messages: 5000 }\n', '/etc/cohort/client.yaml');
  assert.deepEqual(c.jobs, { maxAgeSeconds: 10800, maxBytes: 64 * 1024 * 1024, maxMessages: 5000 });
  assert.deepEqual(parseClientConfig('jobs: { max_age: 90 }\n', '/f.yaml').jobs, { ...jobRetentionDefaults, maxAgeSeconds: 90 });
});

test('a bad jobs: section names the key and the file', () => {
  assert.throws(() => parseClientConfig('jobs: 5\n', '/f.yaml'), /config \/f.yaml: key 'jobs' must be a section \(a mapping with keys max_age, max_bytes, max_messages\)/);
  assert.throws(() => parseClientConfig('jobs: { max_ages: 1h }\n', '/f.yaml'), /config \/f.yaml: unknown key 'jobs.max_ages' \(did you mean 'jobs.max_age'\?\)/);
  assert.throws(() => parseClientConfig('jobs: { max_bytes: huge }\n', '/f.yaml'), /config \/f.yaml: key 'jobs.max_bytes' must be a size: bytes or e.g. 512KiB, 256MiB, 1GiB \(at least 1 KiB\) \(got "huge"\)/);
});
