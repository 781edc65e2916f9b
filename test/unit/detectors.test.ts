// Detectors: classes added while apply_if is true, removed when it turns
// false; grep() confined to the allowed directories and to regular files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@cohort/core/log';
import { createDetectors, grepFunction, maxGrepBytes, nodeFunctions } from '@cohort/server';

test('a detector adds its classes while true and removes them when false', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-detect-'));
  const release = join(dir, 'redhat-release');
  writeFileSync(release, 'CentOS Linux release 7.9.2009 (Core)\n');
  const metrics = new Map([['load.load1', 0.5]]);
  const published: string[][] = [];
  const facts: Record<string, unknown> = { os: { family: 'RedHat' } };
  const detectors = createDetectors({
    detectors: [
      { name: 'centos', apply_if: `grep('centos', '${release}')`, classes: ['linux', 'centos'] },
      { name: 'busy', apply_if: 'load.load1 > 4', classes: ['busy'], interval: '1s' },
      { name: 'redhat', apply_if: "fact('os.family') == 'RedHat'", classes: ['linux', 'redhat'] },
      { name: 'broken', apply_if: 'no.such.metric > 1', classes: ['never'] },
    ],
    functions: nodeFunctions({ allow: [dir], metrics: () => metrics, data: (fn, arg) => (fn === 'fact' && arg === 'os.family' ? { exists: true, value: (facts['os'] as { family: string }).family } : { exists: false }) }),
    metrics: () => metrics,
    setClasses: (c) => published.push([...c].sort()),
    log: silentLogger(),
  });
  await detectors.start();
  try {
    assert.deepEqual(detectors.active().sort(), ['centos', 'redhat']);
    assert.deepEqual(published.at(-1), ['centos', 'linux', 'linux', 'redhat']);
    metrics.set('load.load1', 9);
    writeFileSync(release, 'Rocky Linux release 9\n');
    await detectors.evaluateAll();
    assert.deepEqual(detectors.active().sort(), ['busy', 'redhat']);
    assert.deepEqual(published.at(-1), ['busy', 'linux', 'redhat']);
    const count = published.length;
    await detectors.evaluateAll(); // nothing changed: nothing republished
    assert.equal(published.length, count);
  } finally {
    detectors.stop();
  }
});

test('grep(): allowed directories only, symlinks resolved, never /proc, capped size, missing file false', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-grep-'));
  const grep = grepFunction([dir]);
  writeFileSync(join(dir, 'f'), 'hello World\n');
  assert.equal(await grep(['world', join(dir, 'f')]), true);
  assert.equal(await grep(['^bye', join(dir, 'f')]), false);
  assert.equal(await grep(['x', join(dir, 'missing')]), false);
  await assert.rejects(async () => grep(['x', '/etc/passwd']), /outside the directories it may read/);
  await assert.rejects(async () => grep(['x', `${dir}/../../etc/passwd`]), /outside/);
  symlinkSync('/etc/passwd', join(dir, 'link'));
  await assert.rejects(async () => grep(['root', join(dir, 'link')]), /outside/);
  await assert.rejects(async () => grepFunction(['/'])(['x', '/proc/self/environ']), /outside/);
  mkdirSync(join(dir, 'sub'));
  await assert.rejects(async () => grep(['x', join(dir, 'sub')]), /not a regular file/);
  await assert.rejects(async () => grep(['(', join(dir, 'f')]), /bad regular expression/);
  await assert.rejects(async () => grep(['x', 'relative/path']), /not an absolute path/);
  await assert.rejects(async () => grep(['x']), /takes a pattern and a file path/);
  // Only the first maxGrepBytes are looked at.
  writeFileSync(join(dir, 'big'), Buffer.concat([Buffer.alloc(maxGrepBytes, 'a'), Buffer.from('needle')]));
  assert.equal(await grep(['needle', join(dir, 'big')]), false);
  rmSync(dir, { recursive: true, force: true });
});

test('NodeState: detected classes join the file classes in the view, survive reloads, and republish only on change', async () => {
  const { NodeState } = await import('@cohort/server');
  const dir = mkdtempSync(join(tmpdir(), 'cohort-state-'));
  const classesFile = join(dir, 'classes.txt');
  writeFileSync(classesFile, 'base\nlinux\n');
  let changes = 0;
  const state = new NodeState({ identity: 'n1', factsFiles: [], classesFile, log: silentLogger(), onChange: () => changes++ });
  state.load();
  state.setDetectedClasses(['linux', 'centos', 'centos']);
  assert.deepEqual([...state.view().classes].sort(), ['base', 'centos', 'linux']);
  assert.deepEqual([...state.classes()].sort(), ['base', 'centos', 'linux']);
  assert.equal(changes, 1);
  state.setDetectedClasses(['centos', 'linux']);
  assert.equal(changes, 1, 'same set: no republish');
  writeFileSync(classesFile, 'base\n');
  assert.equal(state.reload('test'), true);
  assert.deepEqual([...state.view().classes].sort(), ['base', 'centos', 'linux']);
  state.setDetectedClasses([]);
  assert.deepEqual([...state.view().classes], ['base']);
  assert.equal(changes, 3);
  rmSync(dir, { recursive: true, force: true });
});
