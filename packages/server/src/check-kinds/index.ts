/** The kinds of checks a node runs; each module implements CheckKindRunner. */
export type { CheckKindRunner, CheckRunContext, MetricSnapshot } from './types.js';
export { NagiosKind, type NagiosKindOptions } from './nagios.js';
