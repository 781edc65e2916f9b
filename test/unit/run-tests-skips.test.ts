// scripts/run-tests.mjs ends a run by listing every skipped test, including
// each test of a skipped group (node:test alone reports a group as one skip
// and never names its tests), grouped under the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('every skipped test is listed with its reason at the end of the run', () => {
  // Without NODE_TEST_CONTEXT (set for us by the runner running this test), the inner run is a run of its own.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/fixtures/skips/grouped.test.ts'], { cwd: root, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const summary = r.stdout.slice(r.stdout.indexOf('\nrun-tests: '));
  assert.match(summary, /^\nrun-tests: 1 file\(s\) in \d+\.\d min; 3 test\(s\) skipped, so NOT run:\n/);
  assert.ok(
    summary.includes('  Widget missing: apt-get install widget-tools:\n    - widget one\n    - widget two\n  because it is alone:\n    - alone\n'),
    summary,
  );
  assert.doesNotMatch(summary, /- runs\b/);
  assert.match(r.stdout, /# skipped 3/);
});
