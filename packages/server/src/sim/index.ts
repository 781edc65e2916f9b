/** The fleet simulator behind `cohort-sim`: virtual nodes running cohortd's pipeline. */
export { simMain } from './main.js';
export { startSimFleet, type SimFleet, type SimFleetOptions } from './fleet.js';
export { startVirtualNode, type VirtualNode, type SimShared } from './virtual-node.js';
export { simNode, simIdentity, type SimNodeSpec } from './facts.js';
export { simAddress, simServices, simOffer } from './services.js';
export { simNodeInfo, simNodeView } from './node-info.js';
export { sliceFleet, spawnChildren, type SimSlice, type SimChildren } from './launch.js';
export { simDefaults, simSettings, checkSimFlags, type SimFlags } from './options.js';
