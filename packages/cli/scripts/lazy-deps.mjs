// esbuild plugin for scripts/bundle.mjs: dependencies that yargs loads at
// start-up but that only `--help` and error output use, deferred to their
// first call. They cost every run without it:
//   - string-width (both copies: cliui's and wrap-ansi's) holds Unicode
//     property regexes (`/^\p{RGI_Emoji}$/v`, emoji-regex) that V8 validates
//     when it parses the file, used or not: ~25-40 ms of CPU per run.
//   - node:assert (yargs' shim asserts with it) loads ~25 internal modules.
// Each copy of string-width is bundled as CommonJS of its own into
// dist/bundle/chunks/lazy-*.cjs and required on the first call; assert calls go to
// node:assert only when the assertion fails. Printable ASCII text (all of
// cohort's help) is measured without loading string-width at all, as
// string-width 8 itself does first thing. Behaviour is unchanged.
import { build } from 'esbuild';
import { basename, dirname } from 'node:path';

/** How the deferred module is reached: a default-exported function of (text, options). */
function lazyDefault(file) {
  // The calling code lands in the entry (dist/bundle/) or in a shared chunk (dist/bundle/chunks/): find the file from either.
  return `import { createRequire } from 'node:module';
const here = import.meta.url;
const load = createRequire(here);
let impl;
export default function lazyStringWidth(text, options) {
  // string-width 8's own fast path, taken before anything is loaded: printable ASCII is as wide as it is long.
  if (typeof text === 'string' && /^[\\x20-\\x7e]*$/.test(text)) return text.length;
  impl ??= load(/\\/chunks\\/[^/]+$/.test(here) ? './${file}' : './chunks/${file}').default;
  return impl(text, options);
}
`;
}

const lazyAssert = `let real;
const assert = () => (real ??= process.getBuiltinModule('node:assert'));
export function strictEqual(actual, expected, message) { if (!Object.is(actual, expected)) assert().strictEqual(actual, expected, message); }
export function notStrictEqual(actual, expected, message) { if (Object.is(actual, expected)) assert().notStrictEqual(actual, expected, message); }
`;

/** @param {{ outdir: string }} options the bundle's output directory (chunks go to its chunks/). */
export function lazyDeps({ outdir }) {
  return {
    name: 'cohort-lazy-deps',
    setup(b) {
      const made = new Map();
      b.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData?.real) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
        if (real.errors.length > 0) return { errors: real.errors };
        // One CommonJS file per copy, named after its package directory (string-width@8.3.0).
        const version = basename(dirname(dirname(dirname(real.path)))).replace(/[^\w.@-]/g, '_');
        const file = `lazy-${version}.cjs`;
        if (!made.has(file)) {
          made.set(file, build({ entryPoints: [real.path], bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', outfile: `${outdir}/chunks/${file}`, logLevel: 'warning' }));
        }
        await made.get(file);
        return { path: real.path, namespace: 'cohort-lazy', pluginData: { file } };
      });
      b.onLoad({ filter: /.*/, namespace: 'cohort-lazy' }, (args) => ({ contents: lazyDefault(args.pluginData.file), loader: 'js', resolveDir: dirname(args.path) }));
      b.onResolve({ filter: /^(node:)?assert$/ }, (args) => (args.importer.includes('/yargs/') ? { path: 'assert', namespace: 'cohort-lazy-assert' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'cohort-lazy-assert' }, () => ({ contents: lazyAssert, loader: 'js' }));
    },
  };
}
