#!/usr/bin/env node
// Build step: bundles the compiled check_cohort_nrpe and its dependencies into
// one ESM file (dist/check_cohort_nrpe.bundle.mjs) that bin/check_cohort_nrpe.js
// loads: Nagios starts the plugin every few minutes per service, and one file
// loads ~100 ms faster than a few hundred small modules. No yargs, no ora.
// ajv (only when an input is validated) and re2js (only when a filter has a
// regex) stay outside, loaded lazily from this package's node_modules.
import { build } from 'esbuild';
import { ajvRuntimeInline } from '../../../scripts/build/ajv-runtime-inline.mjs';

const root = new URL('..', import.meta.url).pathname;

await build({
  stdin: { contents: "export { checkMain } from './dist/main.js';\n", resolveDir: root, sourcefile: 'check-cohort-nrpe-entry.js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: `${root}dist/check_cohort_nrpe.bundle.mjs`,
  external: ['ajv', 're2js'],
  // ajv's run-time helpers, which the precompiled validators import at start, are bundled.
  plugins: [ajvRuntimeInline],
  // Bundled CommonJS dependencies (nats' deps, js-yaml) call require().
  banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url);" },
  logLevel: 'warning',
});
