import type { RequestMessage } from '@cohort/core';
import { DropReason } from '../stats.js';
import { Drop } from './outcome.js';

/**
 * Stage: a request that names its targets (signed with it) runs only on
 * those nodes. A request captured on its way to web1 and republished on the
 * broadcast subject is refused by every other node.
 */
export function targetsStage(request: RequestMessage, identity: string): Drop | undefined {
  const targets = request.targets;
  if (targets === undefined || targets.includes(identity)) return undefined;
  return new Drop(
    DropReason.NotTargeted,
    `request ${request.id} (${request.agent}#${request.action}) from ${request.callerid}@${request.sender} refused: it was signed for ${targets.length} other node(s), not ${identity}`,
    request,
  );
}
