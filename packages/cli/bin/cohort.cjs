#!/usr/bin/env node
// The `cohort` CLI. Kept tiny: `--version` is answered before anything heavy
// (yargs, nats, ajv, ora) is loaded; everything else goes to the CLI, bundled
// into dist/bundle/ and loaded with a V8 code cache (src/bundle-loader.ts,
// as dist/bundle-loader.cjs). CommonJS, as the loader: an ES module entry
// point starts node's ES module loader, and importing builtins as ES modules
// builds their facades (node:fs's loads fs/promises and readline, node:crypto's
// webcrypto), ~5 ms of every run (docs/performance.md, "The CLI's start-up,
// session 11").
'use strict';
const { readFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

const args = process.argv.slice(2);
const version = () => JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')).version;

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${version()}\n`);
} else {
  const { BundleLoader, codeCacheDir } = require('../dist/bundle-loader.cjs');
  const v = version();
  const loader = new BundleLoader(codeCacheDir(process.env, homedir(), v));
  loader
    .load(join(__dirname, '../dist/bundle/cohort.js'))
    .then(({ main, processIo }) => main(args, processIo(), v))
    .then((code) => {
      process.exitCode = code;
      // The answer is out: keep what V8 compiled for the next run (only when it had no cache), then
      // exit as soon as the output is flushed. A stray handle (the socket of a NATS endpoint that
      // accepted but never answered, which nats.js leaves open after its connect timeout) must not
      // add to the documented wait.
      loader.saveCodeCache();
      process.stderr.write('', () => process.stdout.write('', () => process.exit(code)));
    });
}
