#!/usr/bin/env -S node --max-semi-space-size=32
// Thin shim: the fleet simulator lives in ../dist/sim/main.js (build with `pnpm --filter @cohort/server run build`).
// One process hosts thousands of nodes, so it allocates like a busy server: a
// larger young generation (32 MB semi-spaces) cuts the garbage collector's share.
import { simMain } from '../dist/sim/main.js';

const code = await simMain();
process.exitCode = code;
// Everything is closed by now; if some stray handle lingers, do not hang.
setTimeout(() => process.exit(code), 5000).unref();
