// Bundles the browser page (ui/src, Preact + uPlot) into dist/ui/: index.html
// and assets/main.js + assets/main.css. No inline script or style anywhere, so
// the page runs under the console's CSP (script-src 'self'; style-src 'self').
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ui = fileURLToPath(new URL('../ui/', import.meta.url));
const out = fileURLToPath(new URL('../dist/ui/', import.meta.url));
if (!existsSync(`${ui}src/main.tsx`)) process.exit(0);
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}assets`, { recursive: true });
await build({
  entryPoints: { main: `${ui}src/main.tsx` },
  outdir: `${out}assets`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: `${ui}tsconfig.json`,
  logLevel: 'warning',
});
copyFileSync(`${ui}src/index.html`, `${out}index.html`);
