import type { Filter, NodeView, RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/** The filter matcher (matchFilter from @cohort/core; a fake in tests). */
export type FilterMatcher = (filter: Filter, node: NodeView) => boolean;

const notMatched = new Drop(DropReason.Filtered, 'filter does not match this node');

/** Stage 4: a request whose filter does not match this node is dropped silently. */
export function filterStage(request: RequestMessage, node: NodeView, match: FilterMatcher): Drop | undefined {
  return match(request.filter, node) ? undefined : notMatched;
}
