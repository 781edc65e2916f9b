#!/usr/bin/env node
// The `cohort` CLI. Kept tiny: `--version` is answered before anything heavy
// (yargs, nats, ajv, ora) is loaded; everything else goes to the CLI, bundled into dist/cohort.bundle.mjs.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const version = () => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${version()}\n`);
} else {
  // One pre-bundled file (see scripts/bundle.mjs): much faster to load than the module tree.
  const { main, processIo } = await import('../dist/cohort.bundle.mjs');
  const code = await main(args, processIo(), version());
  process.exitCode = code;
  // The answer is out: exit as soon as it is flushed. A stray handle (the
  // socket of a NATS endpoint that accepted but never answered, which nats.js
  // leaves open after its connect timeout) must not add to the documented wait.
  process.stderr.write('', () => process.stdout.write('', () => process.exit(code)));
}
