/**
 * `cohort nagios hosts`: a directory of Nagios host definitions kept equal to
 * the collective's registry (Kunai's Shinken export). See
 * docs/service-discovery.md, "Nagios hosts follow the fleet".
 */
export { hostFileName, objectNameProblem, isUsableAddress, hostgroupsFileName } from './names.js';
export { renderHosts, hostAddress, markerLine, markedCollective, defaultHostTemplate, type HostSource, type HostsRenderOptions, type RenderedHosts, type Skipped } from './render.js';
export { planSync, isEmptyPlan, isOurs, type SyncPlan, type ExistingFile } from './plan.js';
export { dirProblem, scanDir, applyPlan, writeAtomic } from './dir.js';
export { splitCommand, runCommand, CommandSyntaxError, type CommandResult } from './reload.js';
export { HostsSync, type HostsSyncOptions, type SyncReport } from './sync.js';
export { RegistryFeed, hostSource } from './registry-feed.js';
