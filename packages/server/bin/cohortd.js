#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size --no-opt
// Thin shim: the daemon lives in ../dist/main.js, bundled into one minified file
// ../dist/cohortd.bundle.mjs (build with `pnpm --filter @cohort/server run build`;
// scripts/bundle.mjs says why).
// The V8 flags above keep an idle node small (see docs/performance.md): a 2 MB
// young generation instead of up to 16 MB grown during start-up, compact code
// and no optimizing compiler (a node answers a few requests a second; each
// still takes well under 0.1 ms). They apply when the file is run as a program,
// and the `cohortd` launcher (bin/cohortd, which package.json installs) reads
// them from this line; `node bin/cohortd.js` runs without them.
import { main } from '../dist/cohortd.bundle.mjs';

const code = await main();
process.exitCode = code;
// Everything is closed by now; if some stray handle lingers, do not hang.
setTimeout(() => process.exit(code), 2000).unref();
