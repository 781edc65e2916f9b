import type { DdlAction } from '@cohort/core';
import { readCall } from './call.js';
import { defaultAggregators, type AggregatorRegistry } from './registry.js';
import type { AggregateSummary, Aggregator } from './types.js';

/** The part of a reply summaries read. */
export interface SummarizableReply {
  statuscode: number;
  data: Record<string, unknown>;
}

/**
 * Apply an action's DDL `aggregate` entries to a set of replies: one summary
 * per entry, in DDL order.
 *
 * Only replies whose action ran are counted: statuscode 0 (OK) or 1 (Aborted,
 * which agents such as nrpe use for "ran, result not OK", so their outputs are
 * real). Replies with status 2..5 (unknown action, missing or invalid data,
 * unknown error) carry only output defaults, which would skew the counts, so
 * they are skipped, as are replies whose data lacks the output.
 *
 * Entries whose function is not in `registry` are left out rather than
 * failing the whole summary (as Choria does); check `registry.has()` first to
 * warn about them. A malformed entry throws AggregatorError.
 */
export function summarize(
  action: DdlAction,
  replies: Iterable<SummarizableReply>,
  registry: AggregatorRegistry = defaultAggregators(),
): AggregateSummary[] {
  const active: Array<{ output: string; aggregator: Aggregator }> = [];
  for (const call of action.aggregate ?? []) {
    if (!registry.has(call.function)) continue;
    active.push({ output: readCall(call, action).output, aggregator: registry.create(call, action) });
  }
  if (active.length === 0) return [];
  for (const reply of replies) {
    if (reply.statuscode !== 0 && reply.statuscode !== 1) continue;
    const data: unknown = reply.data;
    if (typeof data !== 'object' || data === null) continue;
    for (const { output, aggregator } of active) {
      if (Object.hasOwn(data, output)) aggregator.process((data as Record<string, unknown>)[output]);
    }
  }
  return active.map(({ aggregator }) => aggregator.result());
}
