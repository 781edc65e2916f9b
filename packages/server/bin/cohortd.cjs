#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size --no-opt --single-threaded --bytecode-old-age=1
// Thin shim: the daemon lives in ../dist/main.js, bundled into one minified
// CommonJS file ../dist/cohortd.bundle.cjs (build with `pnpm --filter
// @cohort/server run build`; scripts/bundle.mjs says why). This shim is
// CommonJS too: an ES module entry point loads node's ESM loader, about 2 MB
// more resident in every idle daemon (docs/performance.md, "Idle RSS").
// The V8 flags above keep an idle node small (see docs/performance.md): a 2 MB
// young generation instead of up to 16 MB grown during start-up, compact code
// and no optimizing compiler (a node answers a few requests a second; each
// still takes well under 0.1 ms), V8's work on the main thread instead of
// helper threads (a heap this small needs none), and the bytecode of a function
// that has not run since the last full GC dropped at the next instead of after
// five (start-up code goes soon after start; code that runs again is compiled
// again, as it would be a few GCs later anyway). They apply when the file is run as a program,
// and the `cohortd` launcher (bin/cohortd, which package.json installs) reads
// them from this line; `node bin/cohortd.cjs` runs without them.
'use strict';
const { closeSync, openSync, readSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { StringDecoder } = require('node:string_decoder');

/**
 * Load the bundle as require() would, but read it in 64 kB pieces: require()
 * reads the 930 kB file in one block, and freeing that block makes glibc
 * raise its trim threshold to twice its size, so about 3 MB of memory freed
 * during start-up stayed resident for good (docs/performance.md, "Idle RSS").
 */
function loadBundle(file) {
  const fd = openSync(file, 'r');
  const piece = Buffer.allocUnsafeSlow(64 * 1024);
  const decoder = new StringDecoder('utf8');
  let source = '';
  try {
    for (let n; (n = readSync(fd, piece, 0, piece.length, null)) > 0; ) source += decoder.write(piece.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  const bundle = new Module(file, module);
  bundle.filename = file;
  bundle.paths = Module._nodeModulePaths(dirname(file));
  bundle._compile(source + decoder.end(), file);
  return bundle.exports;
}

const { main } = loadBundle(join(__dirname, '../dist/cohortd.bundle.cjs'));
main().then((code) => {
  process.exitCode = code;
  // Everything is closed by now; if some stray handle lingers, do not hang.
  setTimeout(() => process.exit(code), 2000).unref();
});
