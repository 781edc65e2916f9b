export { PluginSync, type PluginSyncOptions } from './sync.js';
export { matchesFilter } from './filter.js';
export { createPluginSync } from './create.js';
