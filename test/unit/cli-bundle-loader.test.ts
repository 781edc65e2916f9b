// The CLI's bundle loader (packages/cli/src/bundle-loader.ts): chunks as
// scripts with a V8 code cache that is only ever an optimisation — a missing,
// corrupt, foreign or unwritable cache never changes what runs (issue 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BundleLoader, codeCacheDir, pruneCodeCaches } from '../../packages/cli/src/bundle-loader.ts';

const loaderSource = fileURLToPath(new URL('../../packages/cli/src/bundle-loader.ts', import.meta.url));

/** A two-chunk bundle in the loader's format: the entry imports a shared chunk statically, a command chunk dynamically, and builtins. */
function writeBundle(dir: string): string {
  mkdirSync(join(dir, 'chunks'), { recursive: true });
  writeFileSync(
    join(dir, 'chunks', 'shared.js'),
    '//cohort-deps []\n' +
      'var greeting = "hello"; module.exports = { __esModule: true, greet: (n) => greeting + " " + n, url: __cohortImportMetaUrl };\n',
  );
  writeFileSync(join(dir, 'chunks', 'command.js'), '//cohort-deps ["./shared.js"]\nconst s = require("./shared.js"); module.exports = { __esModule: true, run: () => s.greet("command") };\n');
  writeFileSync(
    join(dir, 'entry.js'),
    '//cohort-deps ["./chunks/shared.js","node:path","node:events"]\n' +
      'const s = require("./chunks/shared.js"); const p = require("node:path"); const os = require("os");\n' +
      // A builtin both imported (listed above) and required by bundled CommonJS code that needs the module itself (a class).
      'class Emitter extends require("node:events") {}\n' +
      'module.exports = { __esModule: true, hello: s.greet("entry"), joined: p.join("a", "b"), eol: os.EOL, emitter: typeof new Emitter().on, strict: (function () { return this; })() === undefined, command: () => __cohortImport("./chunks/command.js").then((m) => m.run()), sharedUrl: s.url };\n',
  );
  return join(dir, 'entry.js');
}

/**
 * Load the bundle in a fresh process, as the CLI does (in one process V8 would reuse the code it
 * compiled earlier and never look at the cache), run its command, save the cache; return what it saw.
 */
function loadOnce(entry: string, cacheDir: string | undefined) {
  const code = `
    import { BundleLoader } from ${JSON.stringify(loaderSource)};
    const loader = new BundleLoader(${JSON.stringify(cacheDir)});
    const m = await loader.load(${JSON.stringify(entry)});
    const command = await m.command();
    loader.saveCodeCache();
    const { command: _, ...rest } = m;
    process.stdout.write(JSON.stringify({ m: rest, command, stats: loader.stats }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { m: Record<string, unknown>; command: string; stats: { cached: number; compiled: number } };
}

test('chunks run as the ES modules they came from: static and dynamic imports, builtins, import.meta.url, strict mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-loader-'));
  try {
    const { m, command } = loadOnce(writeBundle(dir), undefined);
    assert.equal(m['hello'], 'hello entry');
    assert.equal(m['joined'], join('a', 'b'));
    assert.equal(typeof m['eol'], 'string');
    assert.equal(m['emitter'], 'function', 'a builtin both imported and required is the module itself');
    assert.equal(m['strict'], true);
    assert.equal(command, 'hello command');
    assert.equal(m['sharedUrl'], `file://${join(dir, 'chunks', 'shared.js')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the second run takes every chunk from the cache; a rebuilt chunk is compiled again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-loader-'));
  try {
    const entry = writeBundle(dir);
    const cache = join(dir, 'cache');
    const first = loadOnce(entry, cache);
    assert.deepEqual(first.stats, { cached: 0, compiled: 3 });
    assert.equal(readdirSync(cache).length, 3);
    const second = loadOnce(entry, cache);
    assert.deepEqual(second.stats, { cached: 3, compiled: 0 });
    assert.equal(second.command, 'hello command');
    // Same length, other content: V8 alone would accept the old bytecode (it checks the source length only).
    const shared = join(dir, 'chunks', 'shared.js');
    writeFileSync(shared, readFileSync(shared, 'utf8').replace('"hello"', '"howdy"'));
    const third = loadOnce(entry, cache);
    assert.deepEqual(third.stats, { cached: 2, compiled: 1 });
    assert.equal(third.m['hello'], 'howdy entry');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt cache file, or foreign bytes with a valid checksum, is compiled from source and rewritten', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-loader-'));
  try {
    const entry = writeBundle(dir);
    const cache = join(dir, 'cache');
    loadOnce(entry, cache);
    const files = readdirSync(cache).map((f) => join(cache, f));
    // Flipped bytes: the checksum no longer matches.
    const flipped = readFileSync(files[0]!);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1]! + 1) % 256;
    writeFileSync(files[0]!, flipped);
    // Garbage that passes the checksum: V8 has to refuse it.
    const garbage = Buffer.from('not bytecode at all, but long enough to look like some');
    writeFileSync(files[1]!, Buffer.concat([createHash('sha1').update(garbage).digest(), garbage]));
    // Truncated to nothing.
    writeFileSync(files[2]!, '');
    const run = loadOnce(entry, cache);
    assert.deepEqual(run.stats, { cached: 0, compiled: 3 });
    assert.equal(run.m['hello'], 'hello entry');
    assert.equal(run.command, 'hello command');
    assert.deepEqual((loadOnce(entry, cache)).stats, { cached: 3, compiled: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cache directory that cannot be made or written is no error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-loader-'));
  try {
    const entry = writeBundle(dir);
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const run = loadOnce(entry, join(blocker, 'cache'));
    assert.deepEqual(run.stats, { cached: 0, compiled: 3 });
    assert.equal(run.command, 'hello command');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cache directory that others can write to is not used (bytecode is code)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-loader-'));
  try {
    const entry = writeBundle(dir);
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    chmodSync(cache, 0o777);
    assert.deepEqual(loadOnce(entry, cache).stats, { cached: 0, compiled: 3 });
    assert.deepEqual(readdirSync(cache), []);
    chmodSync(cache, 0o700);
    loadOnce(entry, cache);
    assert.deepEqual(loadOnce(entry, cache).stats, { cached: 3, compiled: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that is not a chunk of the bundle is refused with the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-loader-'));
  try {
    writeFileSync(join(dir, 'old.js'), 'export const x = 1;\n');
    await assert.rejects(new BundleLoader(undefined).load(join(dir, 'old.js')), /old\.js is not a chunk of the cohort bundle \(rebuild: pnpm -s build\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the cache lives in the user\'s cache directory, per CLI version and Node; COHORT_CODE_CACHE=off turns it off', () => {
  const tag = `0.1.0-node${process.versions.node}-v8-${process.versions.v8}-${process.arch}`.replace(/[^\w.-]/g, '_');
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }, '/home/op', '0.1.0'), `/x/cache/cohort/code-cache/${tag}`);
  assert.equal(codeCacheDir({}, '/home/op', '0.1.0'), `/home/op/.cache/cohort/code-cache/${tag}`);
  assert.equal(codeCacheDir({}, '', '0.1.0'), undefined);
  assert.equal(codeCacheDir({ COHORT_CODE_CACHE: 'off' }, '/home/op', '0.1.0'), undefined);
  assert.equal(codeCacheDir({ COHORT_CODE_CACHE: '0' }, '/home/op', '0.1.0'), undefined);
  assert.notEqual(codeCacheDir({}, '/home/op', '0.2.0'), codeCacheDir({}, '/home/op', '0.1.0'));
});

test("writing the cache removes other versions' cache directories unused for a month, and nothing that is not plainly one of them", () => {
  const home = mkdtempSync(join(tmpdir(), 'cohort-prune-'));
  try {
    const base = join(home, 'cohort', 'code-cache');
    const own = codeCacheDir({ XDG_CACHE_HOME: home }, '', '0.3.0')!;
    const tag = (version: string) => basename(codeCacheDir({ XDG_CACHE_HOME: home }, '', version)!);
    const bin = `${'a'.repeat(40)}.bin`;
    const old = Date.now() / 1000 - 40 * 86_400;
    const make = (name: string, files: string[], aged = true): string => {
      const d = join(base, name);
      mkdirSync(d, { recursive: true });
      for (const f of files) writeFileSync(join(d, f), 'x');
      if (aged) utimesSync(d, old, old);
      return d;
    };
    const stale = make(tag('0.1.0'), [bin, `${bin}.123.tmp`]);
    const empty = make(tag('0.0.9'), []);
    const recent = make(tag('0.2.0'), [bin], false);
    const foreign = make(tag('0.1.1'), [bin, 'notes.txt']);
    const notOurs = make('something-else', [bin]);
    // A symbolic link named like ours, to an old directory of cache files elsewhere: neither followed nor removed.
    const target = join(home, 'elsewhere');
    mkdirSync(target);
    writeFileSync(join(target, bin), 'x');
    utimesSync(target, old, old);
    symlinkSync(target, join(base, tag('0.1.2')));
    // Inside an old directory, a link named like a cache file: the directory stays, the link's target too.
    const linked = make(tag('0.1.3'), []);
    symlinkSync(join(target, bin), join(linked, bin));
    utimesSync(linked, old, old);
    // The run of 0.3.0 writes its cache: the loader prunes.
    const entry = writeBundle(join(home, 'bundle'));
    loadOnce(entry, own);
    assert.equal(readdirSync(own).length, 3, 'its own cache written');
    for (const gone of [stale, empty]) assert.ok(!existsSync(gone), `${gone} left`);
    for (const kept of [recent, foreign, notOurs, join(base, tag('0.1.2')), linked, join(target, bin)]) assert.ok(existsSync(kept), `${kept} removed`);
    // A run that takes everything from its cache writes nothing and prunes nothing; pruning a missing directory is no error.
    const again = make(tag('0.1.0'), [bin]);
    loadOnce(entry, own);
    assert.ok(existsSync(again));
    assert.deepEqual(pruneCodeCaches(join(home, 'nowhere', 'x')), []);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test("the CLI's entry chunk does not load @cohort/core before a command needs it (start-up: --help, --version)", () => {
  // The chunks the entry imports statically (their `//cohort-deps` headers), as the loader follows them.
  const entry = fileURLToPath(new URL('../../packages/cli/dist/bundle/cohort.js', import.meta.url));
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const deps = JSON.parse(source.slice('//cohort-deps '.length, source.indexOf('\n'))) as string[];
    for (const d of deps) if (d.startsWith('./') || d.startsWith('../')) visit(join(file, '..', d));
  };
  visit(entry);
  // Strings only core's modules hold: signed data, the signatures file, the DDL loader.
  for (const file of seen) {
    const text = readFileSync(file, 'utf8');
    for (const marker of ['cohort:signed-data:1', 'cohort-verified-signatures/1']) {
      assert.ok(!text.includes(marker), `${basename(file)}, loaded at every start, holds core's '${marker}': something the entry imports statically pulls in @cohort/core`);
    }
  }
});
