// One self-contained ESM file per program for the Debian packages: every
// dependency (nats, ajv, yargs, js-yaml, prom-client, nunjucks, re2js, ...)
// is inside, so nothing is loaded from node_modules at run time; winston
// (only for a log file) is a file of its own beside it (programChunks).
// The bundles the workspace builds for development (packages/*/scripts/bundle.mjs)
// keep a few rarely used dependencies outside, loaded lazily from
// node_modules; an installed package has no node_modules, so here they are
// bundled too (still evaluated only when first used: esbuild wraps a lazily
// imported module and runs it on first import).
import { builtinModules, createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** esbuild, a dev dependency of packages/server (the root has none of its own). */
async function loadEsbuild() {
  const require = createRequire(`${root}packages/server/package.json`);
  return import(require.resolve('esbuild'));
}

/**
 * Our modules load ajv and re2js lazily with `createRequire(import.meta.url)(name)`
 * (their cost is paid only when used); esbuild cannot see through that, so
 * the call becomes a plain `require(name)`, which it bundles (still lazily:
 * the require runs where it stood).
 */
export function inlineLazyRequires(text) {
  return text
    .replace(/\brequireCjs\((['"][^'"]+['"])\)/g, 'require($1)')
    .replace(/\bcreateRequire\(import\.meta\.url\)\((['"][^'"]+['"])\)/g, 'require($1)');
}

const inlineLazyRequiresPlugin = {
  name: 'inline-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const out = inlineLazyRequires(text);
      const left = out.match(/\brequireCjs\([^)]*\)|createRequire\(import\.meta\.url\)\([^)]*\)/);
      if (left) throw new Error(`${args.path}: a lazy require esbuild cannot bundle: ${left[0]} (inlineLazyRequires in scripts/package/bundle.mjs handles string literals only)`);
      return out === text ? undefined : { contents: out, loader: 'js' };
    });
  },
};

/**
 * Lazily required packages that a program bundle (bundleProgram) leaves in a
 * CommonJS file of its own, chunks/lazy-<name>.cjs beside the bundle,
 * required on first use: winston's File transport, which @cohort/core/log
 * loads only for a log file. Bundled inline it would still be evaluated only
 * on first use, but every daemon would hold its ~140 kB of source, ~0.4 MB
 * of resident memory (docs/performance.md, "winston for log files").
 */
export const programChunks = ['winston/lib/winston/transports/file.js'];

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Optional dependencies of bundled packages, required only inside a
 * try/catch for a feature Cohort does not use, and left out: nunjucks'
 * `watch` option (chokidar).
 */
export const optionalExternals = ['chokidar'];

/** The imports of a bundle that esbuild left outside it, other than Node's built-in modules. */
export function foreignImports(metafile) {
  const out = [];
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && !builtins.has(imp.path) && !optionalExternals.includes(imp.path)) out.push(`${file}: ${imp.path}`);
  }
  return out;
}

/**
 * Bundle `source` (ESM text; imports resolve from the repository root) into
 * `outfile`. Fails when the bundle would still import anything but Node's
 * built-in modules, or when one of our modules requires something in a way
 * esbuild cannot follow.
 */
export async function bundleProgram({ source, sourcefile, outfile }) {
  const { build } = await loadEsbuild();
  const chunkForeign = [];
  const result = await build({
    stdin: { contents: source, resolveDir: root, sourcefile, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    metafile: true,
    external: optionalExternals,
    // winston (only for a log file): a file of its own beside the bundle, so that a daemon logging to stderr does not hold its source.
    plugins: [inlineLazyRequiresPlugin, lazyRequires({ outdir: dirname(outfile), names: programChunks, foreign: chunkForeign })],
    // Bundled CommonJS dependencies (nats' helpers, js-yaml, yargs' helpers) call require(); the bundle's URL finds chunks/.
    banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url); const __cohortImportMetaUrl = import.meta.url;" },
    logLevel: 'warning',
  });
  const foreign = [...foreignImports(result.metafile), ...chunkForeign];
  if (foreign.length > 0) throw new Error(`the bundle ${outfile} still imports from node_modules: ${foreign.join(', ')}`);
  const text = await readFile(outfile, 'utf8');
  return { bytes: Buffer.byteLength(text), text };
}

/**
 * esbuild plugin for the CLI's chunks: what the development bundle leaves
 * outside because our modules require it only when it is used (ajv when an
 * input is validated, re2js when a filter has a regex) becomes a CommonJS
 * file of its own in chunks/ (lazy-<name>.cjs, every dependency inside),
 * required on first use, so every run does not load ~280 kB it does not
 * need. `foreign` collects what such a file would still import.
 */
function lazyRequires({ outdir, names, foreign }) {
  return {
    name: 'cohort-lazy-requires',
    setup(b) {
      const made = new Map();
      const filter = new RegExp(`^(${names.join('|')})$`);
      b.onResolve({ filter }, async (args) => {
        if (args.kind !== 'require-call' || args.pluginData?.real) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
        if (real.errors.length > 0) return { errors: real.errors };
        const file = `lazy-${args.path.replace(/[^\w.@-]/g, '_')}.cjs`;
        if (!made.has(file)) {
          const outfile = `${outdir}/chunks/${file}`;
          made.set(file, b.esbuild.build({ entryPoints: [real.path], bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', outfile, metafile: true, external: optionalExternals, logLevel: 'warning' }).then((r) => foreign.push(...foreignImports(r.metafile))));
        }
        await made.get(file);
        return { path: args.path, namespace: 'cohort-lazy-require', pluginData: { file } };
      });
      // CommonJS, so that esbuild evaluates it where the require() stood; the chunk is in bundle/ or bundle/chunks/.
      b.onLoad({ filter: /.*/, namespace: 'cohort-lazy-require' }, (args) => ({
        contents: `const here = __cohortImportMetaUrl;\nmodule.exports = process.getBuiltinModule('node:module').createRequire(here)(/\\/chunks\\/[^/]+$/.test(here) ? './${args.pluginData.file}' : './chunks/${args.pluginData.file}');\n`,
        loader: 'js',
      }));
    },
  };
}

/**
 * The `cohort` CLI for the client package: the CLI's own split bundle
 * (packages/cli/scripts/bundle.mjs, loaded by its bin/cohort.js with the V8
 * code cache of src/bundle-loader.ts) with nothing left outside but Node's
 * built-in modules. Written to `outdir`; fails as bundleProgram does.
 */
export async function bundleCliChunks({ outdir }) {
  const { bundleCli } = await import('../../packages/cli/scripts/bundle.mjs');
  const foreign = [];
  const metafile = await bundleCli({ outdir, external: optionalExternals, plugins: [inlineLazyRequiresPlugin, lazyRequires({ outdir, names: ['ajv', 're2js', ...programChunks], foreign })] });
  foreign.push(...foreignImports(metafile));
  if (foreign.length > 0) throw new Error(`the CLI bundle in ${outdir} still imports from node_modules: ${foreign.join(', ')}`);
  return metafile;
}

/**
 * Fails unless `entry` (a module copied into a package as it is, with what it
 * imports) needs nothing but Node's built-in modules.
 */
export async function assertBuiltinsOnly(entry) {
  const { build } = await loadEsbuild();
  const result = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, metafile: true, logLevel: 'warning' });
  const foreign = foreignImports(result.metafile);
  if (foreign.length > 0) throw new Error(`${entry} imports from node_modules: ${foreign.join(', ')}`);
}
