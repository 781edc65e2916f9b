// Loads the bundled CLI (dist/bundle/, written by scripts/bundle.mjs) with a
// V8 code cache. Node 20 has no compile cache for ES modules, so the bundle's
// chunks are stored as plain scripts: each is compiled with vm.Script, handed
// the bytecode V8 produced for it in an earlier run (cachedData), and run in
// a function wrapper that supplies what the ES module had (its imports,
// exports, import.meta.url and dynamic import()).
//
// The cache is an optimisation only: a missing, stale, corrupt or unwritable
// cache means the chunk is compiled from source, as without it. Cache files
// are named by the SHA-1 of the chunk's source (a rebuilt chunk never meets
// old bytecode) under a directory per CLI version, Node version and
// architecture, in the user's cache directory ($XDG_CACHE_HOME/cohort or
// ~/.cache/cohort; never beside the installed code); each starts with the
// SHA-1 of the bytecode after it, checked before V8 sees it; a directory
// that someone else could write to is not used. When a run writes the cache,
// the directories of other versions that no run has written to for a month
// are removed (pruneCodeCaches).
// COHORT_CODE_CACHE=off disables it.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

type Exports = Record<string, unknown>;
type Wrapper = (exports: Exports, require: (specifier: string) => unknown, module: { exports: Exports }, url: string, dynamicImport: (specifier: string) => Promise<unknown>) => void;

interface Chunk {
  readonly file: string;
  /** Resolved once the chunk and everything it imports statically are compiled. */
  readonly ready: Promise<void>;
  wrapper?: Wrapper;
  /** Relative imports (chunk files) and bare ones (packages, node: builtins), in source order. */
  deps: string[];
  module?: { exports: Exports };
}

/** Where the code cache lives for this CLI version and Node, or undefined (no cache). */
export function codeCacheDir(env: NodeJS.ProcessEnv, homedir: string, version: string): string | undefined {
  if (/^(off|0|false|no)$/i.test(env['COHORT_CODE_CACHE'] ?? '')) return undefined;
  const base = env['XDG_CACHE_HOME'] ? env['XDG_CACHE_HOME'] : homedir ? join(homedir, '.cache') : undefined;
  if (!base) return undefined;
  return join(base, 'cohort', 'code-cache', `${version}-node${process.versions.node}-v8-${process.versions.v8}-${process.arch}`.replace(/[^\w.-]/g, '_'));
}

const sha1 = (data: string | Uint8Array): Buffer => createHash('sha1').update(data).digest();

/** The name of a directory codeCacheDir() makes, and of the files saveCodeCache() writes in it. */
const cacheDirName = /^[\w.-]+-node[\w.-]+-v8-[\w.-]+-\w+$/;
const cacheFileName = /^[0-9a-f]{40}\.bin(\.\d+\.tmp)?$/;

/** A month: another installed version (a package beside a checkout) written to within it is kept, so two never evict each other on every run. */
const unusedCacheMs = 30 * 86_400_000;

/**
 * Remove the cache directories beside `dir` (other CLI versions, or Node
 * versions) that look like ours and that no run has written to for
 * `unusedMs`, so that upgrades do not pile them up. Only plain directories
 * of ours named as codeCacheDir() names them, holding only files named as
 * saveCodeCache() names them, are removed; symbolic links are never
 * followed; it never throws.
 */
export function pruneCodeCaches(dir: string, now = Date.now(), unusedMs = unusedCacheMs): string[] {
  const removed: string[] = [];
  const parent = dirname(dir);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (name === basename(dir) || !cacheDirName.test(name)) continue;
    const other = join(parent, name);
    try {
      const st = lstatSync(other);
      if (!st.isDirectory() || st.uid !== process.geteuid?.() || now - st.mtimeMs < unusedMs) continue;
      const files = readdirSync(other);
      if (!files.every((f) => cacheFileName.test(f))) continue;
      for (const f of files) if (lstatSync(join(other, f)).isFile()) unlinkSync(join(other, f));
      rmdirSync(other);
      removed.push(other);
    } catch {
      // in use by another run, not ours after all, ...: left as it is
    }
  }
  return removed;
}

/** Where the header line of a bundled chunk lists its static imports: `//cohort-deps [...]`. */
const depsHeader = '//cohort-deps ';

/**
 * A loader for the chunks of one bundle. `load(entry)` compiles the entry and
 * every chunk it imports statically (with the cache), then runs it; a chunk's
 * dynamic `import()` of another chunk goes through the same loader.
 */
export class BundleLoader {
  private readonly chunks = new Map<string, Chunk>();
  private readonly externals = new Map<string, unknown>();
  /** Compiled without usable cached data: their bytecode is written by saveCodeCache(). */
  private readonly uncached: { script: Script; file: string }[] = [];
  /** Chunks compiled so far: with bytecode from the cache, and from source. */
  readonly stats = { cached: 0, compiled: 0 };

  private readonly cacheDir: string | undefined;

  constructor(cacheDir: string | undefined) {
    this.cacheDir = cacheDir && trustedDir(cacheDir) ? cacheDir : undefined;
  }

  /** Load the chunk `file` (absolute) and return its exports. */
  async load(file: string): Promise<Exports> {
    await this.prepare(file).ready;
    return this.run(file);
  }

  /**
   * Write the bytecode of every chunk compiled without a usable cache (it now
   * includes the functions this run compiled). Never throws: a cache that
   * cannot be written is just not there next time.
   */
  saveCodeCache(): void {
    if (!this.cacheDir || this.uncached.length === 0) return;
    try {
      mkdirSync(this.cacheDir, { recursive: true, mode: 0o700 });
      for (const { script, file } of this.uncached.splice(0)) {
        const data = script.createCachedData();
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([sha1(data), data]), { mode: 0o600 });
        renameSync(tmp, file);
      }
    } catch {
      // read-only home, full disk, ...: run without a cache
    }
    pruneCodeCaches(this.cacheDir);
  }

  private prepare(file: string): Chunk {
    const known = this.chunks.get(file);
    if (known) return known;
    const chunk: Chunk = { file, deps: [], ready: Promise.resolve() };
    this.chunks.set(file, chunk);
    (chunk as { ready: Promise<void> }).ready = this.compile(chunk);
    return chunk;
  }

  private async compile(chunk: Chunk): Promise<void> {
    const source = readFileSync(chunk.file, 'utf8');
    const newline = source.indexOf('\n');
    if (!source.startsWith(depsHeader) || newline < 0) throw new Error(`${chunk.file} is not a chunk of the cohort bundle (rebuild: pnpm -s build)`);
    chunk.deps = JSON.parse(source.slice(depsHeader.length, newline)) as string[];
    const waits = chunk.deps.map((d) => (isRelative(d) ? this.prepare(this.resolve(chunk.file, d)).ready : isBuiltin(d) ? undefined : this.importExternal(d)));
    const cacheFile = this.cacheDir ? join(this.cacheDir, `${sha1(source).toString('hex')}.bin`) : undefined;
    const cachedData = cacheFile ? readCache(cacheFile) : undefined;
    // The wrapper keeps the source on one line with the header, so positions in stack traces stay right.
    const script = new Script(`(function (exports, require, module, __cohortImportMetaUrl, __cohortImport) {'use strict';${source}\n})`, { filename: chunk.file, cachedData });
    const fromCache = cachedData !== undefined && script.cachedDataRejected !== true;
    this.stats[fromCache ? 'cached' : 'compiled']++;
    if (cacheFile && !fromCache) this.uncached.push({ script, file: cacheFile });
    chunk.wrapper = script.runInThisContext() as Wrapper;
    await Promise.all(waits);
  }

  /** Run a compiled chunk (its static imports first, as ES modules are evaluated). */
  private run(file: string): Exports {
    const chunk = this.chunks.get(file);
    if (!chunk?.wrapper) throw new Error(`cohort bundle: ${file} was not loaded`);
    if (chunk.module) return chunk.module.exports;
    const module = { exports: {} as Exports };
    chunk.module = module;
    // A builtin is the module itself, both for a static import (esbuild's interop helper makes its
    // default export the module, as Node's ES module facade does) and for bundled CommonJS code that
    // requires it. A chunk's other static imports (packages) were imported before it runs; anything
    // else is a require() of bundled CommonJS code, which gets Node's require (scripts/bundle.mjs
    // checks that no package is both).
    let nodeRequire: NodeJS.Require | undefined;
    const require = (specifier: string): unknown => {
      if (isRelative(specifier)) return this.run(this.resolve(file, specifier));
      if (isBuiltin(specifier)) return process.getBuiltinModule(specifier);
      if (chunk.deps.includes(specifier)) return this.externals.get(specifier);
      nodeRequire ??= createRequire(file);
      return nodeRequire(specifier);
    };
    const dynamicImport = (specifier: string): Promise<unknown> => (isRelative(specifier) ? this.load(this.resolve(file, specifier)) : this.importExternal(specifier));
    chunk.wrapper.call(module.exports, module.exports, require, module, pathToFileURL(file).href, dynamicImport);
    return module.exports;
  }

  private resolve(from: string, specifier: string): string {
    return resolve(dirname(from), specifier);
  }

  /**
   * A package or builtin, imported as an ES module would import it (a CommonJS
   * package's default export is its module.exports), marked so that the
   * bundle's interop helper hands it over as it is.
   */
  private async importExternal(specifier: string): Promise<unknown> {
    if (this.externals.has(specifier)) return this.externals.get(specifier);
    // A builtin's namespace is the module itself (named exports) plus it as the default; taken
    // directly, because building its ES module facade reads every export (fs.ReadStream loads streams).
    const builtin = isBuiltin(specifier) ? (process.getBuiltinModule(specifier) as object) : undefined;
    const namespace = builtin ? Object.create(builtin, { default: { value: builtin } }) : ((await import(specifier)) as object);
    const marked = Object.create(namespace, { __esModule: { value: true } }) as unknown;
    this.externals.set(specifier, marked);
    return marked;
  }
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/**
 * Bytecode is code: use a cache directory only if nobody else can write to it
 * (ours, not group- or world-writable), so that `sudo -E cohort` with another
 * user's HOME never runs what that user put there. A directory that is not
 * there yet is made by saveCodeCache() with mode 0700.
 */
function trustedDir(dir: string): boolean {
  try {
    const st = statSync(dir);
    return st.isDirectory() && st.uid === process.geteuid?.() && (st.mode & 0o022) === 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Cached bytecode whose checksum matches, or undefined. */
function readCache(file: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length <= 20) return undefined;
  const payload = data.subarray(20);
  return sha1(payload).equals(data.subarray(0, 20)) ? payload : undefined;
}
