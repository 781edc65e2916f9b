/** The kinds of checks a node runs; each module implements CheckKindRunner. */
export type { CheckKindRunner, CheckRunContext, MetricSnapshot } from './types.js';
export { createExpressionKind, type ExpressionKindDeps } from './expression.js';
export { createGraphiteKind, type GraphiteKindDeps } from './graphite.js';
export { NagiosKind, type NagiosKindOptions } from './nagios.js';
