/**
 * check_cohort_nrpe: one Nagios check for a whole fleet. Runs an NRPE command
 * on every matching node through the nrpe agent and aggregates the states.
 * The bin (bin/check_cohort_nrpe.js) loads this through its own small bundle.
 */
export { checkMain, type CheckIo } from './main.js';
export { parseCheckArgs, CheckUsageError, defaultCheckTimeout, type CheckArgs, type CheckRequest, type Thresholds } from './options.js';
export { evaluateCheck, reached, type Evaluation, type HostResult, type StateCounts } from './evaluate.js';
export { formatCheck, formatUnknown, maxOutputBytes } from './format.js';
export { hostFromReply, noReplyHost, type NrpeReply } from './hosts.js';
export { queryFleet, printReserveMs, type QueryDeps, type QueryResult } from './query.js';
export { NagiosState, stateName, asState, type NagiosCode, type NagiosStateName } from '@cohort/core';
export { checkHelp } from './help.js';
export { readCachedFleet, cachedHosts, hostFromState, type CachedDeps } from './cached.js';
