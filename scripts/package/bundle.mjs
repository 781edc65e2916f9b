// One self-contained file per program for the Debian packages: every
// dependency (nats, ajv, yargs, js-yaml, prom-client, nunjucks, re2js, ...)
// is inside, so nothing is loaded from node_modules at run time; what only
// some runs need (winston's File transport, only for a log file; cohortd's
// lazily loaded packages) is in files of their own beside it.
// The bundles the workspace builds for development (packages/*/scripts/bundle.mjs)
// keep a few rarely used dependencies outside, loaded lazily from
// node_modules; an installed package has no node_modules, so here they are
// bundled too (still evaluated only when first used: esbuild wraps a lazily
// imported module and runs it on first import).
import { builtinModules, createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsLazyBuiltins } from '../build/nats-lazy-builtins.mjs';

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

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Optional dependencies of bundled packages, required only inside a
 * try/catch for a feature Cohort does not use, and left out: nunjucks'
 * `watch` option (chokidar). And sodium-native, a native addon that no
 * bundle can hold: cohortd's package ships it beside the bundle
 * (build-deb.mjs, stageSodium); a program without it signs with OpenSSL.
 */
export const optionalExternals = ['chokidar', 'sodium-native'];

/** The imports of a bundle that esbuild left outside it, other than Node's built-in modules. */
export function foreignImports(metafile) {
  const out = [];
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && !builtins.has(imp.path) && !optionalExternals.includes(imp.path)) out.push(`${file}: ${imp.path}`);
  }
  return out;
}

/**
 * Lazily required packages that a program bundle (bundleProgram) leaves in a
 * CommonJS file of its own, chunks/lazy-<name>.cjs beside the bundle,
 * required on first use: winston's File transport, which @cohort/core/log
 * loads only for a log file. Bundled inline it would still be evaluated only
 * on first use, but every daemon would hold its ~140 kB of source, ~0.4 MB
 * of resident memory (docs/performance.md, "winston for log files").
 */
export const programChunks = ['winston/lib/winston/transports/file.js'];

/**
 * What differs between an ES module bundle and a CommonJS one. ESM: bundled
 * CommonJS dependencies (nats' helpers, js-yaml, yargs' helpers) call
 * require(), which the banner provides. CommonJS (cohortd, loaded by its
 * bin/cohortd.cjs as in the workspace): every module's `import.meta.url` is
 * the bundle's own URL, as in an ES module bundle, so paths our modules
 * resolve relative to themselves land where they do in that one.
 */
const formats = {
  esm: { banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url); const __cohortImportMetaUrl = import.meta.url;" } },
  cjs: { banner: { js: "const __cohortBundleUrl = require('node:url').pathToFileURL(__filename).href;" }, define: { 'import.meta.url': '__cohortBundleUrl' } },
};

/**
 * Bundle `source` (ESM text; imports resolve from the repository root) into
 * `outfile`, an ES module or (`format: 'cjs'`) a CommonJS file whose exports
 * are `source`'s. Fails when the bundle would still import anything but
 * Node's built-in modules, or when one of our modules requires something in
 * a way esbuild cannot follow.
 */
export async function bundleProgram({ source, sourcefile, outfile, format = 'esm', plugins = [] }) {
  const { build } = await loadEsbuild();
  // winston's File transport (only for a log file): a file of its own in chunks/ beside an ES module bundle, so that
  // a program logging to stderr does not hold its source (bundleDaemon puts it beside cohortd's, with its other lazy files).
  const chunkForeign = [];
  const programLazy = format === 'esm' ? [lazyRequires({ outdir: dirname(outfile), names: programChunks, foreign: chunkForeign, load: cliLazyLoad })] : [];
  const result = await build({
    stdin: { contents: source, resolveDir: root, sourcefile, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'node',
    format,
    target: 'node20',
    outfile,
    metafile: true,
    external: optionalExternals,
    plugins: [...plugins, inlineLazyRequiresPlugin, ...programLazy],
    ...formats[format],
    logLevel: 'warning',
  });
  const foreign = [...foreignImports(result.metafile), ...chunkForeign];
  if (foreign.length > 0) throw new Error(`the bundle ${outfile} still imports from node_modules: ${foreign.join(', ')}`);
  const text = await readFile(outfile, 'utf8');
  return { bytes: Buffer.byteLength(text), text };
}

/**
 * esbuild plugin for what the development bundles leave outside because our
 * modules load it only when it is used (the CLI: ajv when an input is
 * validated, re2js when a filter has a regex; cohortd: also yargs for --help
 * and mistakes, prom-client for the Prometheus listener, nunjucks for
 * templates): each becomes a CommonJS file of its own (lazy-<name>.cjs in
 * `chunkDir`, every dependency inside), required on first use, so that every
 * run does not load, and a daemon does not keep the source text of, code it
 * does not need. `require(name)` and `import(name)` (`kinds`) both get the
 * package's CommonJS build. `load(file)` is the CommonJS text that requires
 * the file from where the bundle is; `options`, more of esbuild's for these
 * files; `foreign` collects what a file would still import.
 */
function lazyRequires({ outdir, chunkDir = 'chunks', names, foreign, kinds = ['require-call'], load, options = {} }) {
  return {
    name: 'cohort-lazy-requires',
    setup(b) {
      const made = new Map();
      const filter = new RegExp(`^(${names.join('|')})$`);
      b.onResolve({ filter }, async (args) => {
        if (!kinds.includes(args.kind) || args.pluginData?.real) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: 'require-call', pluginData: { real: true } });
        if (real.errors.length > 0) return { errors: real.errors };
        const file = `lazy-${args.path.replace(/[^\w.@-]/g, '_')}.cjs`;
        if (!made.has(file)) {
          const outfile = `${outdir}/${chunkDir}/${file}`;
          made.set(file, b.esbuild.build({ entryPoints: [real.path], bundle: true, minify: true, platform: 'node', format: 'cjs', target: 'node20', outfile, metafile: true, external: optionalExternals, logLevel: 'warning', ...options }).then((r) => {
            foreign.push(...foreignImports(r.metafile));
            return Object.entries(r.metafile.inputs).find(([path]) => real.path.endsWith(path))?.[1].format === 'esm';
          }));
        }
        const esm = await made.get(file);
        return { path: args.path, namespace: 'cohort-lazy-require', pluginData: { file, esm } };
      });
      // CommonJS, so that esbuild evaluates it where the require() stood. An
      // ES module package (yargs) is imported for its default export, which
      // Node's import() of CommonJS text would make the whole exports object.
      b.onLoad({ filter: /.*/, namespace: 'cohort-lazy-require' }, ({ pluginData: { file, esm } }) => ({
        contents: esm ? `const m = (() => {\n${load(file).replace('module.exports =', 'return')}})();\nexport default m.default;\n` : load(file),
        loader: 'js',
      }));
    },
  };
}

/** The CLI's chunks are in bundle/ or bundle/chunks/, its lazy files in bundle/chunks/. */
const cliLazyLoad = (file) => `const here = __cohortImportMetaUrl;\nmodule.exports = process.getBuiltinModule('node:module').createRequire(here)(/\\/chunks\\/[^/]+$/.test(here) ? './${file}' : './chunks/${file}');\n`;

/**
 * What cohortd's CommonJS bundle requires on first use from files beside it
 * (lazyRequires): what the workspace's bundle leaves in node_modules
 * (packages/server/scripts/bundle.mjs), re2js and winston's File transport
 * (programChunks). ajv stays inside: its
 * standalone code generator must share ajv's classes.
 */
export const daemonLazyNames = ['yargs', 'prom-client', 'nunjucks', 're2js', ...programChunks];

/**
 * cohortd for the node package: `source` bundled as bundleProgram does into
 * `outfile` (CommonJS), with daemonLazyNames in files of their own beside it
 * and nats.js' rarely used built-in modules loaded on first use.
 */
export async function bundleDaemon({ source, sourcefile, outfile }) {
  const foreign = [];
  const lazy = lazyRequires({
    outdir: dirname(outfile),
    chunkDir: '.',
    names: daemonLazyNames,
    foreign,
    kinds: ['require-call', 'dynamic-import'],
    load: (file) => `module.exports = require(require('node:path').join(__dirname, ${JSON.stringify(file)}));\n`,
    // yargs is an ES module package: its import.meta.url, the file's own.
    options: formats.cjs,
  });
  // nats.js' tls, dns, webcrypto and perf_hooks loaded on first use, as in the workspace's bundle (scripts/build/nats-lazy-builtins.mjs).
  const result = await bundleProgram({ source, sourcefile, outfile, format: 'cjs', plugins: [natsLazyBuiltins, lazy] });
  if (foreign.length > 0) throw new Error(`a lazily required file beside ${outfile} still imports from node_modules: ${foreign.join(', ')}`);
  return result;
}

/**
 * The `cohort` CLI for the client package: the CLI's own split bundle
 * (packages/cli/scripts/bundle.mjs, loaded by its bin/cohort.cjs with the V8
 * code cache of src/bundle-loader.ts) with nothing left outside but Node's
 * built-in modules. Written to `outdir`; fails as bundleProgram does.
 */
export async function bundleCliChunks({ outdir }) {
  const { bundleCli } = await import('../../packages/cli/scripts/bundle.mjs');
  const foreign = [];
  const metafile = await bundleCli({ outdir, external: optionalExternals, plugins: [inlineLazyRequiresPlugin, lazyRequires({ outdir, names: ['ajv', 're2js', ...programChunks], foreign, load: cliLazyLoad })] });
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
