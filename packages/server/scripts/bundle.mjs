#!/usr/bin/env node
// Build step: bundles the daemon (dist/main.js and what it imports) into one
// minified ESM file, dist/cohortd.bundle.mjs, which bin/cohortd.js loads.
// Every machine of a fleet runs a cohortd for months: one file instead of a
// few hundred modules, minified, keeps about 3 MB less resident (module
// records and source text held by V8) and starts faster (docs/performance.md).
// yargs (only for --help, --version and mistakes) stays outside and is
// loaded lazily from node_modules; so are ajv and re2js (required lazily
// through createRequire, which the bundler leaves alone).
// `import.meta.url` keeps meaning each module's own original location
// (relative to the bundle, so the tree can move), so paths relative to a
// source file (the DDL directory, the puppetral helper) resolve as unbundled.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

const outfile = `${root}dist/cohortd.bundle.mjs`;

/** Replace `import.meta.url` in every bundled module by that module's own URL, found from the bundle's. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.(m?js)$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const own = `new URL(${JSON.stringify(relative(`${root}dist`, args.path))}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [`${root}dist/main.js`],
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  // nunjucks: loaded only by nodes with templates (docs/service-discovery.md).
  external: ['yargs', 'prom-client', 'nunjucks'],
  plugins: [ownImportMetaUrl],
  // Bundled CommonJS dependencies (nats' helpers, winston, js-yaml) call require().
  banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url);" },
  logLevel: 'warning',
});
