/** Service discovery: service entries in registry records (types and pure helpers; no I/O). */
export * from './types.js';
