import { createRequire } from 'node:module';

/**
 * Node built-in modules that a daemon needs only for some actions or settings
 * (running a command, the Prometheus listener), loaded on first use instead of
 * at start-up: an ESM `import` of them is evaluated when the process starts,
 * and child_process, http and readline kept 0.7 MB more resident in
 * every idle cohortd (docs/performance.md, "Idle RSS"); perf_hooks about
 * 0.25 MB, for an event-loop lag nobody may ask for.
 */
const requireBuiltin = createRequire(import.meta.url);

/** `node:child_process`, loaded on first call. */
export const childProcess = (): typeof import('node:child_process') => requireBuiltin('node:child_process') as typeof import('node:child_process');

/** `node:readline`, loaded on first call. */
export const readline = (): typeof import('node:readline') => requireBuiltin('node:readline') as typeof import('node:readline');

/** `node:perf_hooks`, loaded on first call. */
export const perfHooks = (): typeof import('node:perf_hooks') => requireBuiltin('node:perf_hooks') as typeof import('node:perf_hooks');

/** `node:http`, loaded on first call. */
export const http = (): typeof import('node:http') => requireBuiltin('node:http') as typeof import('node:http');
