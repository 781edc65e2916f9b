/** Checks: states, events, definitions, bucket and subject names (types and pure helpers; no I/O). */
export * from './types.js';
export * from './perfdata.js';
export * from './subjects.js';
export * from './perfdata-parse.js';
export * from './parse.js';
