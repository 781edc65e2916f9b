#!/usr/bin/env node
// Thin shim: the daemon lives in ../dist/main.js (build with `pnpm --filter @cohort/server run build`).
import { main } from '../dist/main.js';

const code = await main();
process.exitCode = code;
// Everything is closed by now; if some stray handle lingers, do not hang.
setTimeout(() => process.exit(code), 2000).unref();
