#!/usr/bin/env node
// Build step: bundles the check_cohort_nrpe Nagios plugin (dist/nagios) and
// its dependencies into one ESM file, dist/check_cohort_nrpe.bundle.mjs, which
// bin/check_cohort_nrpe.js loads. Nagios runs the plugin every few minutes per
// service, so start-up time matters; it shares nothing with the cohort CLI
// bundle (no yargs, no ora). ajv stays external and is loaded lazily from
// node_modules when the request inputs are validated.
import { build } from 'esbuild';

await build({
  stdin: {
    contents: "export { checkMain } from './dist/nagios/main.js';\n",
    resolveDir: new URL('..', import.meta.url).pathname,
    sourcefile: 'check-cohort-nrpe-entry.js',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: new URL('../dist/check_cohort_nrpe.bundle.mjs', import.meta.url).pathname,
  external: ['ajv'],
  // Bundled CommonJS dependencies (nats' deps, js-yaml) may call require().
  banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url);" },
  logLevel: 'warning',
});
