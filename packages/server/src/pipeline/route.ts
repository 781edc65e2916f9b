import type { RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop, type Arrival } from './outcome.js';

/**
 * Stage 2: the request must belong where it arrived: its collective is the
 * subject's, and a broadcast carries the subject's agent.
 */
export function routeStage(request: RequestMessage, arrival: Arrival): Drop | undefined {
  if (request.collective !== arrival.collective) {
    return new Drop(DropReason.Misrouted, `request for collective '${request.collective}' arrived in collective '${arrival.collective}'`);
  }
  if (arrival.agent !== undefined && request.agent !== arrival.agent) {
    return new Drop(DropReason.Misrouted, `request for agent '${request.agent}' arrived on the broadcast subject of '${arrival.agent}'`);
  }
  return undefined;
}
