#!/usr/bin/env node
// Runs the test suites with Node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|integration] [name-substring... | path/to/file.test.ts...]
// Ends by listing every skipped test and why (reasons name what to install).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [suite, ...names] = process.argv.slice(2);
const suites = suite === 'unit' || suite === 'integration' ? [suite] : ['unit', 'integration'];
if (suite && !suites.includes(suite)) names.unshift(suite);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

// A name that is a test file's path runs that file (e.g. a fixture outside test/unit and test/integration).
const paths = names.filter((n) => n.endsWith('.test.ts') && existsSync(join(root, n)));
const files = (paths.length > 0 ? paths.map((p) => join(root, p)) : suites.flatMap((s) => walk(join(root, 'test', s))))
  // Substrings match the path inside the repository (a checkout under /work/wt/checks-cli must not match every file).
  .filter((f) => paths.length > 0 || names.length === 0 || names.some((n) => relative(root, f).includes(n)))
  .map((f) => relative(root, f))
  .sort();
if (files.length === 0) {
  console.error(`no test files matched ${[suite, ...names].filter(Boolean).join(' ')}`);
  process.exit(1);
}
// Integration tests start real processes; run files one at a time on small machines.
const concurrency = suites.includes('integration') ? '1' : String(Math.max(2, (await import('node:os')).availableParallelism()));
// The usual reporter on stdout, and scripts/test-skips.mjs collecting every skipped test and why.
const skipsFile = join(mkdtempSync(join(tmpdir(), 'cohort-tests-')), 'skipped.jsonl');
const reporters = [
  `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
  '--test-reporter-destination=stdout',
  `--test-reporter=${pathToFileURL(join(root, 'scripts/test-skips.mjs')).href}`,
  `--test-reporter-destination=${skipsFile}`,
];
const started = Date.now();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...files], {
  cwd: root,
  stdio: 'inherit',
});
const skipped = existsSync(skipsFile)
  ? readFileSync(skipsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(dirname(skipsFile), { recursive: true, force: true });
const minutes = ((Date.now() - started) / 60000).toFixed(1);
if (skipped.length === 0) {
  console.log(`\nrun-tests: ${files.length} file(s) in ${minutes} min; no test was skipped`);
} else {
  console.log(`\nrun-tests: ${files.length} file(s) in ${minutes} min; ${skipped.length} test(s) skipped, so NOT run:`);
  const byReason = new Map();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.name]);
  for (const [reason, names] of byReason) {
    console.log(`  ${reason}:`);
    for (const name of names) console.log(`    - ${name}`);
  }
}
process.exit(r.status ?? 1);
