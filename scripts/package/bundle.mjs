// One self-contained ESM file per program for the Debian packages: every
// dependency (nats, ajv, yargs, js-yaml, winston, prom-client, nunjucks,
// re2js, ...) is inside, so nothing is loaded from node_modules at run time.
// The bundles the workspace builds for development (packages/*/scripts/bundle.mjs)
// keep a few rarely used dependencies outside, loaded lazily from
// node_modules; an installed package has no node_modules, so here they are
// bundled too (still evaluated only when first used: esbuild wraps a lazily
// imported module and runs it on first import).
import { builtinModules, createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
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
    plugins: [inlineLazyRequiresPlugin],
    // Bundled CommonJS dependencies (nats' helpers, winston, js-yaml, yargs' helpers) call require().
    banner: { js: "import { createRequire as __cohortRequire } from 'node:module'; const require = __cohortRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const foreign = foreignImports(result.metafile);
  if (foreign.length > 0) throw new Error(`the bundle ${outfile} still imports from node_modules: ${foreign.join(', ')}`);
  const text = await readFile(outfile, 'utf8');
  return { bytes: Buffer.byteLength(text), text };
}
