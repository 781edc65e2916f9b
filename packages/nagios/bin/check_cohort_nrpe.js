#!/usr/bin/env node
// check_cohort_nrpe: the Nagios plugin (see src/). Loads its own small
// pre-bundled file (dist/check_cohort_nrpe.bundle.mjs, built by
// scripts/bundle.mjs) because Nagios starts it for every check.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

const startedAt = performance.timeOrigin;
const version = () => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
let code = 3;
try {
  const { checkMain } = await import('../dist/check_cohort_nrpe.bundle.mjs');
  code = await checkMain(process.argv.slice(2), {
    write: (text) => process.stdout.write(text),
    env: process.env,
    homedir: homedir(),
    startedAt,
    version: version(),
  });
} catch (err) {
  // Only reached when the bundle itself is missing or broken: still answer Nagios.
  process.stdout.write(`UNKNOWN: check_cohort_nrpe cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
}
// Exit now, even if a NATS socket or timer is still open: the result is out.
process.stdout.write('', () => process.exit(code));
