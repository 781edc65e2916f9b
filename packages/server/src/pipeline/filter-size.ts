import { filterSizeProblem, type RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/** Stage (before the filter is parsed or evaluated): refuse filters over the limits (core filterLimits). */
export function filterSizeStage(request: RequestMessage): Drop | undefined {
  const problem = filterSizeProblem(request.filter);
  if (problem === undefined) return undefined;
  return new Drop(DropReason.FilterTooLarge, `request ${request.id} from ${request.callerid}@${request.sender} refused: ${problem}`, request);
}
