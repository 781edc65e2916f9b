#!/usr/bin/env node
// Build step: bundles each compiled entry point and its dependencies into one
// ESM file that its bin/ script loads. Operators run the CLI hundreds of times
// a day, and Nagios runs check_cohort_nrpe every few minutes per service:
// resolving and reading a few hundred small module files costs ~100 ms per
// run; one file does not. Packages loaded only on some paths stay outside and
// are loaded lazily from node_modules: ora (only on a terminal), ajv (only
// when an input is validated), nodemailer (only for the provisioner's email
// notifier), @cohort/core/log with winston (only for `cohort provisioner run`),
// re2js (only when a filter has a regex).
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** The bundles: the `cohort` CLI, and the Nagios plugin (no yargs, no ora). */
const bundles = [
  {
    name: 'cohort-cli',
    contents: "export { main } from './dist/cli/main.js';\nexport { processIo } from './dist/cli/io.js';\n",
    outfile: 'dist/cohort.bundle.mjs',
    external: ['ora', 'ajv', 'nodemailer', '@cohort/core/log', 're2js'],
  },
  {
    name: 'check-cohort-nrpe',
    contents: "export { checkMain } from './dist/nagios/main.js';\n",
    outfile: 'dist/check_cohort_nrpe.bundle.mjs',
    external: ['ajv', 're2js'],
  },
];

for (const b of bundles) {
  await build({
    stdin: { contents: b.contents, resolveDir: root, sourcefile: `${b.name}-entry.js` },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: `${root}${b.outfile}`,
    external: b.external,
    // Bundled CommonJS dependencies (yargs' helpers, nats' deps, js-yaml) call require().
    banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
