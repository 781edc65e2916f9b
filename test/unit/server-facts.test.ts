import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@cohort/core/log';
import { FactsError, loadFacts, mergeFacts, NodeState, parseClasses, readClassesFile, Semaphore } from '@cohort/server';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'cohort-facts-'));
}

test('facts files deep-merge in order; lists are replaced', () => {
  const d = dir();
  writeFileSync(join(d, 'a.yaml'), 'os:\n  family: debian\n  release: 11\nroles: [web]\nflag: true\n');
  writeFileSync(join(d, 'b.json'), JSON.stringify({ os: { release: 12 }, roles: ['db'], extra: null }));
  assert.deepEqual(loadFacts([join(d, 'a.yaml'), join(d, 'b.json')]), { os: { family: 'debian', release: 12 }, roles: ['db'], flag: true, extra: null });
  assert.deepEqual(mergeFacts({ a: { b: 1 } }, { a: 2 }), { a: 2 });
});

test('YAML facts use the core schema: no dates, plain JSON values', () => {
  const d = dir();
  writeFileSync(join(d, 'f.yaml'), 'built: 2024-01-02\nversion: 1.10\n');
  assert.deepEqual(loadFacts([join(d, 'f.yaml')]), { built: '2024-01-02', version: 1.1 });
});

test('a missing, broken or non-mapping facts file is a FactsError naming it', () => {
  const d = dir();
  writeFileSync(join(d, 'broken.yaml'), 'a: [1,\n');
  writeFileSync(join(d, 'list.yaml'), '- a\n');
  writeFileSync(join(d, 'empty.yaml'), '');
  writeFileSync(join(d, 'bad.json'), '{"a":');
  const cases: Array<[string, RegExp]> = [
    [join(d, 'nope.yaml'), /cannot read it/],
    [join(d, 'broken.yaml'), /not valid YAML: .* at line 2, column 1$/],
    [join(d, 'list.yaml'), /must hold a mapping.*not a list/],
    [join(d, 'empty.yaml'), /is empty/],
    [join(d, 'bad.json'), /not valid JSON/],
  ];
  for (const [file, reason] of cases) {
    assert.throws(() => loadFacts([file]), (err: unknown) => err instanceof FactsError && err.file === file && err.message.startsWith(`facts file ${file}: `) && reason.test(err.message));
  }
});

test('classes: one per line, blanks and comments ignored; a missing file is no classes', () => {
  assert.deepEqual(parseClasses('base\n\n  web \r\n# comment\nntp::client\n'), ['base', 'web', 'ntp::client']);
  assert.deepEqual(readClassesFile('/nonexistent/classes.txt'), { classes: [], missing: true });
});

test('NodeState: reload picks up changes and keeps the previous facts when a file breaks', () => {
  const d = dir();
  const facts = join(d, 'facts.yaml');
  const classes = join(d, 'classes.txt');
  writeFileSync(facts, 'role: web\n');
  writeFileSync(classes, 'base\n');
  const state = new NodeState({ identity: 'n1', factsFiles: [facts], classesFile: classes, log: silentLogger() });
  state.load();
  state.setAgents(['rpcutil']);
  assert.deepEqual(state.view(), { identity: 'n1', facts: { role: 'web' }, classes: ['base'], agents: ['rpcutil'], data: state.data });
  const before = state.view();
  assert.equal(state.view(), before, 'the view is cached, not rebuilt per call');

  writeFileSync(facts, 'role: db\n');
  writeFileSync(classes, 'base\ndb\n');
  assert.equal(state.reload('test'), true);
  assert.deepEqual(state.facts(), { role: 'db' });
  assert.deepEqual(state.classes(), ['base', 'db']);
  assert.deepEqual(state.data('fact', 'role'), { exists: true, value: 'db' });

  writeFileSync(facts, 'role: [broken\n');
  assert.equal(state.reload('test'), false);
  assert.deepEqual(state.facts(), { role: 'db' });
});

test('NodeState.watch reloads when a facts file is replaced', async () => {
  const d = dir();
  const facts = join(d, 'facts.yaml');
  writeFileSync(facts, 'role: web\n');
  const state = new NodeState({ identity: 'n1', factsFiles: [facts], classesFile: null, log: silentLogger() });
  state.load();
  state.watch();
  try {
    writeFileSync(join(d, 'facts.yaml.tmp'), 'role: api\n');
    renameSync(join(d, 'facts.yaml.tmp'), facts);
    for (let i = 0; i < 60 && state.facts()['role'] !== 'api'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(state.facts()['role'], 'api');
  } finally {
    state.close();
  }
});

test('Semaphore hands slots out in FIFO order and never exceeds its limit', async () => {
  const s = new Semaphore(1);
  const order: number[] = [];
  const first = await s.acquire();
  const waiting = [1, 2].map((n) => s.acquire().then((release) => (order.push(n), release)));
  assert.equal(s.waiting, 2);
  first();
  (await waiting[0])?.();
  (await waiting[1])?.();
  assert.deepEqual(order, [1, 2]);
  assert.equal(s.active, 0);
  assert.throws(() => new Semaphore(0), RangeError);
});
