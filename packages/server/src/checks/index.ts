/** The node side of checks: sources, definitions from the bus, the state machine, the signed store and the `checks` agent. */
export { Checks, checksLocalKind, type ChecksOptions, type CheckKinds, type CheckStatus, type LocalCheckSettings } from './checks.js';
export { createChecks, defaultCheckKinds, type CreateChecksOptions } from './create.js';
export { BusCheckDefinitions, definePolicy, type BusCheckDefinitionsOptions } from './definitions.js';
export { CheckStore, type CheckSink } from './store.js';
export { applyResult, enterMaintenance, endMaintenance, maintenanceExpired, pendingRecord, withDefinition, type Transition } from './state.js';
export { checksAgent, maxMaintenanceSeconds } from './agent.js';
export type { ChecksBus } from '../bus/checks.js';
export { CheckPublisher, maxUnsent, type CheckChange, type CheckPublishing } from './publisher.js';
