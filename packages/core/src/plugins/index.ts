export * from './errors.js';
export * from './meta.js';
export * from './pack.js';
export * from './manifest.js';
