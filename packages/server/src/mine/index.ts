/** The node side of the mine: sources, definitions from the bus, runners and the signed value store. */
export { Mine, createMine, type MineOptions, type MineFunctionSummary } from './mine.js';
export { MineStore } from './store.js';
export { BusDefinitions, type BusDefinitionsOptions } from './definitions.js';
export { LocalMineSources, readDropIns, type LocalMineSettings } from './local.js';
export { runCommand } from './run-command.js';
export { runAction, type ActionRunnerDeps } from './run-action.js';
export { mineAgent } from './agent.js';
export type { RunOutcome } from './outcome.js';
export type { WatchedEntry, BucketWatcher } from '../bus/mine-watch.js';
