#!/usr/bin/env node
// Thin shim: the fleet simulator lives in ../dist/sim/main.js (build with `pnpm --filter @cohort/server run build`).
import { simMain } from '../dist/sim/main.js';

const code = await simMain();
process.exitCode = code;
// Everything is closed by now; if some stray handle lingers, do not hang.
setTimeout(() => process.exit(code), 5000).unref();
