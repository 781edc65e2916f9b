#!/usr/bin/env -S MALLOC_TRIM_THRESHOLD_=65536 node --max-semi-space-size=2 --optimize-for-size --no-opt
// Thin shim: the daemon lives in ../dist/main.js, bundled into one minified
// CommonJS file ../dist/cohortd.bundle.cjs (build with `pnpm --filter
// @cohort/server run build`; scripts/bundle.mjs says why). This shim is
// CommonJS too: an ES module entry point loads node's ESM loader, about 2 MB
// more resident in every idle daemon (docs/performance.md, "Idle RSS").
// The V8 flags above keep an idle node small (see docs/performance.md): a 2 MB
// young generation instead of up to 16 MB grown during start-up, compact code
// and no optimizing compiler (a node answers a few requests a second; each
// still takes well under 0.1 ms). MALLOC_TRIM_THRESHOLD_ makes glibc give
// freed memory at the top of its heap back to the system (by default the
// threshold grows with the first large block freed, and the 3 MB that loading
// the bundle leaves free stays resident). They apply when the file is run as
// a program (cohortd, pnpm exec, systemd); `node bin/cohortd.cjs` runs without them.
'use strict';
const { main } = require('../dist/cohortd.bundle.cjs');

main().then((code) => {
  process.exitCode = code;
  // Everything is closed by now; if some stray handle lingers, do not hang.
  setTimeout(() => process.exit(code), 2000).unref();
});
