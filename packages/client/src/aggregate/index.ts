/**
 * Client-side aggregation of replies, driven by the DDL's `aggregate` entries:
 * a registry of aggregate functions keyed by DDL function name, the built-ins
 * (summary, boolean_summary, average, sum) and `summarize()`.
 */
export type { Aggregator, AggregateSummary, AggregatorFactory } from './types.js';
export { AggregatorRegistry, defaultAggregators } from './registry.js';
export { summarize, type SummarizableReply } from './summarize.js';
export { summaryAggregator, booleanSummaryAggregator } from './summary.js';
export { averageAggregator, sumAggregator } from './numeric.js';
export { nagiosStatesAggregator } from './nagios-states.js';
export { readCall, type AggregateCall } from './call.js';
export { formatString, formatNumber } from './format.js';
export { AggregatorError } from './errors.js';
