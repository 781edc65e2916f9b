/** The mine: node data collected on a schedule and kept on the bus (types, parsing, checks; no I/O). */
export * from './types.js';
export * from './duration.js';
export * from './parse.js';
export * from './value.js';
