export * from './store.js';
export * from './manifests.js';
export * from './push.js';
export * from './fleet.js';
export * from './ddl.js';
