#!/usr/bin/env node
// The `cohort` CLI. Kept tiny: `--version` is answered before anything heavy
// (yargs, nats, ajv, ora) is loaded; everything else goes to the CLI, bundled
// into dist/bundle/ and loaded with a V8 code cache (src/bundle-loader.ts).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

const args = process.argv.slice(2);
const version = () => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${version()}\n`);
} else {
  const { BundleLoader, codeCacheDir } = await import('../dist/bundle-loader.js');
  const v = version();
  const loader = new BundleLoader(codeCacheDir(process.env, homedir(), v));
  const { main, processIo } = await loader.load(new URL('../dist/bundle/cohort.js', import.meta.url).pathname);
  const code = await main(args, processIo(), v);
  process.exitCode = code;
  // The answer is out: keep what V8 compiled for the next run (only when it had no cache), then
  // exit as soon as the output is flushed. A stray handle (the socket of a NATS endpoint that
  // accepted but never answered, which nats.js leaves open after its connect timeout) must not
  // add to the documented wait.
  loader.saveCodeCache();
  process.stderr.write('', () => process.stdout.write('', () => process.exit(code)));
}
