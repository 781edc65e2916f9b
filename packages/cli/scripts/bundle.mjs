#!/usr/bin/env node
// Build step: bundles the compiled `cohort` CLI and its dependencies into
// minified ESM files that bin/cohort.js loads. Operators run the CLI hundreds
// of times a day: resolving and reading a few hundred small module files costs
// ~100 ms per run; a few files do not. (packages/nagios bundles
// check_cohort_nrpe the same way.) Code splitting: every command (`rpc`,
// `provisioner`, ...) is a chunk of its own, loaded only when it runs
// (commandLoaders in src/command.ts), and shared code sits in shared chunks
// (dist/chunks/), so `cohort rpc` never compiles what `cohort provisioner`
// needs. Minified, because V8 parses every byte it loads.
// Packages loaded only on some paths stay outside and are loaded lazily from
// node_modules: ora (only on a terminal), ajv (only when an input is
// validated), nodemailer (only for the provisioner's email notifier),
// @cohort/core/log with winston (only for `cohort provisioner run`), re2js
// (only when a filter has a regex), @cohort/web with fastify (only for `cohort web`). Each is a dependency of this package, so
// that it resolves from dist/.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { lazyDeps } from './lazy-deps.mjs';

const root = new URL('..', import.meta.url).pathname;

/** The entry point: the `cohort` CLI. */
const entries = {
  'cohort.bundle': "export { main } from '../main.js';\nexport { processIo } from '../io.js';\n",
};

const entryDir = `${root}dist/bundle-entries`;
rmSync(`${root}dist/chunks`, { recursive: true, force: true });
mkdirSync(entryDir, { recursive: true });
for (const [name, contents] of Object.entries(entries)) writeFileSync(`${entryDir}/${name}.js`, contents);

await build({
  entryPoints: Object.keys(entries).map((name) => `${entryDir}/${name}.js`),
  bundle: true,
  splitting: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: `${root}dist`,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  external: ['ora', 'ajv', 'nodemailer', '@cohort/core/log', 're2js', '@cohort/web'],
  // Bundled CommonJS dependencies (yargs' helpers, nats' deps, js-yaml) call require().
  banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url);" },
  // string-width's regexes and node:assert, which yargs loads but only help and errors use: on first call.
  plugins: [lazyDeps({ outdir: `${root}dist` })],
  logLevel: 'warning',
});
rmSync(entryDir, { recursive: true, force: true });
