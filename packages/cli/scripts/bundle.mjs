#!/usr/bin/env node
// Build step: bundles the compiled `cohort` CLI and its dependencies into
// minified chunks (dist/bundle/) that bin/cohort.cjs loads through
// src/bundle-loader.ts. Operators run the CLI hundreds of times a day:
// resolving and reading a few hundred small module files costs ~100 ms per
// run; a few files do not. (packages/nagios bundles check_cohort_nrpe the same
// way.) Code splitting: every command (`rpc`, `provisioner`, ...) is a chunk
// of its own, loaded only when it runs (commandLoaders in src/command.ts), and
// shared code sits in shared chunks (dist/bundle/chunks/), so `cohort rpc`
// never compiles what `cohort provisioner` needs. Minified, because V8 parses
// every byte it loads.
//
// esbuild splits ES modules only, and Node 20 keeps no code cache for ES
// modules; so each split chunk is then turned into a plain script (esbuild's
// ESM-to-CommonJS transform) that the loader compiles with a V8 code cache.
// The first line of each lists its static imports (`//cohort-deps [...]`)
// for the loader; `import()` becomes `__cohortImport()` and import.meta.url
// `__cohortImportMetaUrl`, both supplied by the loader.
//
// Packages loaded only on some paths stay outside and are loaded lazily from
// node_modules: ora (only on a terminal), ajv (only when an input is
// validated), nodemailer (only for the provisioner's email notifier),
// @cohort/core/log (only for `cohort provisioner run`), re2js
// (only when a filter has a regex), @cohort/web with fastify (only for `cohort web`). Each is a dependency of this package, so
// that it resolves from dist/.
//
// The loader itself (dist/bundle-loader.js, compiled by tsc as an ES module)
// is written as CommonJS too, dist/bundle-loader.cjs, which bin/cohort.cjs
// requires: no ES module is loaded on the way to the CLI (loaderCjs()).
//
// The Debian package's `cohort` is this same bundle (scripts/package/bundle.mjs
// calls bundleCli() with no externals: an installed package has no
// node_modules), loaded by the same bin/cohort.cjs and dist/bundle-loader.cjs.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';
import { ajvRuntimeInline } from '../../../scripts/build/ajv-runtime-inline.mjs';
import { natsLazyBuiltins } from '../../../scripts/build/nats-lazy-builtins.mjs';
import { lazyDeps } from './lazy-deps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Loaded lazily from node_modules by the development bundle (see above). */
export const devExternals = ['ora', 'ajv', 'nodemailer', '@cohort/core/log', 're2js', '@cohort/web'];

/** The entry point: the `cohort` CLI. */
const entries = {
  cohort: "export { main } from '../main.js';\nexport { processIo } from '../io.js';\n",
};

/**
 * Bundle the compiled CLI (dist/) into loader chunks in `outdir` (emptied
 * first): `external` packages are left to node_modules, `plugins` run before
 * the lazy-deps plugin. Returns esbuild's metafile of the split build.
 */
export async function bundleCli({ outdir, external = devExternals, plugins = [] }) {
  // Next to dist/main.js, so that the entries' relative imports resolve; one per build, so that two builds never share it.
  const entryDir = `${root}dist/bundle-entries-${process.pid}`;
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(entryDir, { recursive: true });
  for (const [name, contents] of Object.entries(entries)) writeFileSync(`${entryDir}/${name}.js`, contents);
  let result;
  try {
    result = await build({
      entryPoints: Object.keys(entries).map((name) => `${entryDir}/${name}.js`),
      bundle: true,
      splitting: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir,
      chunkNames: 'chunks/[name]-[hash]',
      external,
      // string-width's regexes and node:assert, which yargs loads but only help and errors use: on first call;
      // ajv's run-time helpers, which the precompiled validators import at start, inside (ajv itself may be external).
      plugins: [...plugins, natsLazyBuiltins, ajvRuntimeInline, lazyDeps({ outdir })],
      metafile: true,
      write: false,
      absWorkingDir: root,
      logLevel: 'warning',
    });
  } finally {
    rmSync(entryDir, { recursive: true, force: true });
  }
  for (const file of result.outputFiles) {
    const name = relative(root, file.path);
    const meta = result.metafile.outputs[name];
    if (!meta) throw new Error(`bundle: no metafile entry for ${file.path}`);
    const here = dirname(file.path);
    const spec = (imp) => (imp.external ? imp.path : `./${relative(here, resolve(root, imp.path))}`);
    const statics = [...new Set(meta.imports.filter((i) => i.kind === 'import-statement').map(spec))];
    const dynamics = meta.imports.filter((i) => i.kind === 'dynamic-import');
    // Bundled CommonJS code (yargs' helpers, nats, js-yaml) calls require() for builtins: the loader
    // gives it Node's own require, and static imports of a package an ES module namespace; one package
    // cannot be both (a builtin can: the loader hands over the module itself for either).
    const required = new Set(meta.imports.filter((i) => i.kind === 'require-call').map((i) => i.path));
    const both = statics.filter((s) => required.has(s) && !isBuiltin(s));
    if (both.length > 0) throw new Error(`bundle: ${name} both imports and requires ${both.join(', ')}`);
    let dynamicCount = 0;
    const code = file.text.replace(/\bimport\(("[^"]+")\)/g, (_m, s) => {
      dynamicCount++;
      return `__cohortImport(${s})`;
    });
    if (dynamicCount !== dynamics.length) throw new Error(`bundle: ${name}: found ${dynamicCount} import() calls, esbuild reports ${dynamics.length}`);
    const script = await transform(code, {
      format: 'cjs',
      minify: true,
      platform: 'node',
      target: 'node20',
      define: { 'import.meta.url': '__cohortImportMetaUrl' },
      logLevel: 'error',
    });
    if (/\bimport\.meta\b|\bimport\(/.test(script.code)) throw new Error(`bundle: ${name} still uses import.meta or import() after the transform`);
    mkdirSync(here, { recursive: true });
    writeFileSync(file.path, `//cohort-deps ${JSON.stringify(statics)}\n${script.code}`);
  }
  return result.metafile;
}

/** Write dist/bundle-loader.js (node builtins only) as CommonJS to dist/bundle-loader.cjs, for bin/cohort.cjs. */
export async function loaderCjs() {
  await build({ entryPoints: [`${root}dist/bundle-loader.js`], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: `${root}dist/bundle-loader.cjs`, logLevel: 'warning' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Earlier layouts (ES module chunks beside dist/): nothing loads them any more.
  rmSync(`${root}dist/chunks`, { recursive: true, force: true });
  rmSync(`${root}dist/cohort.bundle.mjs`, { force: true });
  rmSync(`${root}dist/bundle-entries`, { recursive: true, force: true });
  await bundleCli({ outdir: `${root}dist/bundle` });
  await loaderCjs();
}
