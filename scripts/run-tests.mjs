#!/usr/bin/env node
// Runs the test suites with Node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [unit|integration] [name-substring...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

const files = suites
  .flatMap((s) => walk(join(root, 'test', s)))
  .filter((f) => names.length === 0 || names.some((n) => f.includes(n)))
  .map((f) => relative(root, f))
  .sort();
if (files.length === 0) {
  console.error(`no test files matched ${[suite, ...names].filter(Boolean).join(' ')}`);
  process.exit(1);
}
// Integration tests start real processes; run files one at a time on small machines.
const concurrency = suites.includes('integration') ? '1' : String(Math.max(2, (await import('node:os')).availableParallelism()));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
