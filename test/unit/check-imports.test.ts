// scripts/check-imports.mjs: the package rules of docs/architecture.md hold
// for this repository, and each kind of violation is caught (on a scratch tree).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without types
import { checkImports } from '../../scripts/check-imports.mjs';

const check = checkImports as (root: string) => string[];
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

test('this repository follows the package rules', () => {
  assert.deepEqual(check(repoRoot), []);
});

/** A scratch repository: client (with a bus), cli (depends on client), core. */
function scratch(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cohort-imports-'));
  const manifests: Record<string, object> = {
    'packages/core/package.json': { name: '@cohort/core', exports: { '.': {}, './log': {} } },
    'packages/client/package.json': { name: '@cohort/client', exports: { '.': {} }, dependencies: { '@cohort/core': 'workspace:*', nats: '^2' } },
    'packages/cli/package.json': { name: '@cohort/cli', exports: { '.': {} }, dependencies: { '@cohort/client': 'workspace:*', '@cohort/core': 'workspace:*' } },
  };
  const all: Record<string, string> = {
    ...Object.fromEntries(Object.entries(manifests).map(([p, m]) => [p, JSON.stringify(m)])),
    'packages/client/src/bus.ts': "import { connect } from 'nats';\n",
    'packages/client/src/index.ts': "export * from './bus.js';\n",
    ...files,
  };
  for (const [p, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

function problemsOf(files: Record<string, string>): string[] {
  const root = scratch(files);
  try {
    return check(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a clean scratch tree passes; entry points and exported subpaths are fine', () => {
  assert.deepEqual(problemsOf({ 'packages/cli/src/main.ts': "import { x } from '@cohort/client';\nimport { log } from '@cohort/core/log';\n// import { y } from '@cohort/client/src/z.js' (a comment)\n" }), []);
});

test('a relative import into another package is refused, with file and line', () => {
  const problems = problemsOf({ 'packages/cli/src/main.ts': "\nimport { Client } from '../../client/src/client.js';\n" });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^packages\/cli\/src\/main\.ts:2: '\.\.\/\.\.\/client\/src\/client\.js' reaches into another package's files; import '@cohort\/client'/);
});

test('a subpath that is not in the exports is refused', () => {
  const problems = problemsOf({ 'packages/cli/src/main.ts': "import { x } from '@cohort/client/dist/bus.js';\n" });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /'@cohort\/client\/dist\/bus\.js' is not an entry point of @cohort\/client \(its exports: @cohort\/client\)/);
});

test('nats outside the bus module is refused; inside src/bus/ it is fine', () => {
  const problems = problemsOf({
    'packages/client/src/jobs/store.ts': "import type { NatsConnection } from 'nats';\n",
    'packages/client/src/bus/kv.ts': "import { connect } from 'nats';\n",
  });
  assert.deepEqual(problems, ["packages/client/src/jobs/store.ts:1: imports 'nats' outside the package's bus module (src/bus.ts, src/bus/); take NATS access from the bus"]);
});

test('an import the table forbids (client → cli, a cycle) is refused, and so is a missing dependency', () => {
  const problems = problemsOf({ 'packages/client/src/x.ts': "export { main } from '@cohort/cli';\n" });
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /@cohort\/client may not import @cohort\/cli \(allowed: @cohort\/core, agents/);
  assert.match(problems[1]!, /imports @cohort\/cli, which is not a dependency in packages\/client\/package.json/);
});

test('a dynamic import counts too', () => {
  const problems = problemsOf({ 'packages/cli/src/lazy.ts': "const m = await import('../../client/src/bus.js');\n" });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /reaches into another package's files/);
});
