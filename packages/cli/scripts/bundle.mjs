#!/usr/bin/env node
// Build step: bundles the compiled `cohort` CLI and its dependencies into one
// ESM file that bin/cohort.js loads. Operators run the CLI hundreds of times
// a day: resolving and reading a few hundred small module files costs ~100 ms
// per run; one file does not. (packages/nagios bundles check_cohort_nrpe the
// same way.) Packages loaded only on some paths stay outside and
// are loaded lazily from node_modules: ora (only on a terminal), ajv (only
// when an input is validated), nodemailer (only for the provisioner's email
// notifier), @cohort/core/log with winston (only for `cohort provisioner run`),
// re2js (only when a filter has a regex). Each is a dependency of this package,
// so that it resolves from dist/.
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** The bundle: the `cohort` CLI. */
const bundles = [
  {
    name: 'cohort-cli',
    contents: "export { main } from './dist/main.js';\nexport { processIo } from './dist/io.js';\n",
    outfile: 'dist/cohort.bundle.mjs',
    external: ['ora', 'ajv', 'nodemailer', '@cohort/core/log', 're2js'],
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
