#!/usr/bin/env node
// Build step: bundles the compiled CLI (dist/cli) and its dependencies into one
// ESM file, dist/cohort.bundle.mjs, which bin/cohort.js loads. Operators run the
// CLI hundreds of times a day (and Nagios every minute): resolving and reading a
// few hundred small module files costs ~100 ms per run; one file does not.
// ora (only loaded on a terminal) and ajv (only loaded when an input is
// validated) stay outside and are loaded lazily from node_modules.
import { build } from 'esbuild';

await build({
  stdin: {
    contents: "export { main } from './dist/cli/main.js';\nexport { processIo } from './dist/cli/io.js';\n",
    resolveDir: new URL('..', import.meta.url).pathname,
    sourcefile: 'cohort-cli-entry.js',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: new URL('../dist/cohort.bundle.mjs', import.meta.url).pathname,
  external: ['ora', 'ajv'],
  // Bundled CommonJS dependencies (yargs' helpers, nats' deps) call require().
  banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url);" },
  logLevel: 'warning',
});
