// esbuild plugin for bundles that leave ajv itself outside (the `cohort` CLI's
// and check_cohort_nrpe's development bundles load ajv from node_modules only
// when an input is validated): the precompiled validators
// (src/generated/validators.ts) import ajv's small run-time helpers
// (`ajv/dist/runtime/equal.js`, fast-deep-equal) at start, and with ajv
// external that one CommonJS file was imported as an ES module on every run:
// node's ES module loader resolving the package, reading the file and
// scanning it for its exports (cjs-module-lexer), ~8 ms of every CLI start
// (docs/performance.md, "The CLI's start-up, session 11"). This bundles those
// helpers (a few hundred bytes) wherever ajv is external; ajv's compiler
// stays outside.

import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The esbuild plugin (put it before plugins that resolve every import). */
export const ajvRuntimeInline = {
  name: 'ajv-runtime-inline',
  setup(b) {
    // Resolved as node would from the importing file (esbuild's own resolver would honour `external`).
    b.onResolve({ filter: /^ajv\/dist\/runtime\/[\w-]+(\.js)?$/ }, (args) => ({ path: createRequire(join(args.resolveDir, 'x.js')).resolve(args.path) }));
  },
};
