/** The client side of the mine: reading, verifying and judging mined values, definitions, the export mirror. */
export * from './kv.js';
export * from './verify.js';
export * from './get.js';
export * from './read.js';
export * from './match.js';
export * from './define.js';
export * from './list.js';
export * from './mirror.js';
export * from './boot-clock.js';
