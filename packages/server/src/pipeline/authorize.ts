import { Status, type NodeView, type PolicyStore, type RequestMessage } from '@cohort/core';
import { Refusal } from './outcome.js';

/**
 * Stage (after agent lookup): ask the actionpolicy files whether the caller
 * may run this agent's action on this node. A denial is a status 1 reply
 * naming the policy file and line. Without a policy store every request is
 * authorized.
 */
export function authorizeStage(request: RequestMessage, policies: PolicyStore | undefined, node: NodeView, nowMs: number): Refusal | string | undefined {
  if (!policies) return undefined;
  const decision = policies.decide(request.agent, request.action, request.callerid, node, nowMs);
  return decision.allowed ? decision.reason : new Refusal(Status.Aborted, `You are not authorized to call this agent or action: ${decision.reason}`);
}
