#!/usr/bin/env node
// Build step: bundles the daemon (dist/main.js and what it imports) into one
// minified CommonJS file, dist/cohortd.bundle.cjs, which bin/cohortd.cjs loads.
// CommonJS, not ESM: a process whose entry point is an ES module loads
// node's ESM loader, about 2 MB more resident in every idle cohortd
// (docs/performance.md, "Idle RSS").
// Every machine of a fleet runs a cohortd for months: one file instead of a
// few hundred modules, minified, keeps about 3 MB less resident (module
// records and source text held by V8) and starts faster (docs/performance.md).
// yargs (only for --help, --version and mistakes) stays outside and is
// loaded lazily from node_modules; so are ajv, re2js and winston's File
// transport (only for a log file), required lazily through createRequire,
// which the bundler leaves alone.
// `import.meta.url` (which CommonJS lacks) keeps meaning each module's own original location
// (relative to the bundle, so the tree can move), so paths relative to a
// source file (the DDL directory, the puppetral helper) resolve as unbundled.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { build } from 'esbuild';
import { natsLazyBuiltins } from '../../../scripts/build/nats-lazy-builtins.mjs';

const root = new URL('..', import.meta.url).pathname;

const outfile = `${root}dist/cohortd.bundle.cjs`;

/** Replace `import.meta.url` in every bundled module by that module's own URL, found from the bundle's (`__cohortBundleUrl`, from the banner). */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.(m?js)$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const own = `new URL(${JSON.stringify(relative(`${root}dist`, args.path))}, __cohortBundleUrl).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [`${root}dist/main.js`],
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  // nunjucks: loaded only by nodes with templates (docs/service-discovery.md).
  external: ['yargs', 'prom-client', 'nunjucks'],
  plugins: [natsLazyBuiltins, ownImportMetaUrl],
  // The bundle's own URL, for the modules' rewritten `import.meta.url`.
  banner: { js: "const __cohortBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
