import type { NodeInfo } from '@cohort/agents';
import { errorMessage, Status, validateInputs, type MineFunction, type NodeView, type PolicyStore } from '@cohort/core';
import { dispatch } from '../dispatcher.js';
import type { AgentLookup } from '../registry.js';
import type { RunOutcome } from './outcome.js';

export interface ActionRunnerDeps {
  readonly agents: AgentLookup;
  readonly node: NodeInfo;
  readonly view: () => NodeView;
  /** Actionpolicy (re-checked on every run of a bus definition). */
  readonly policies: PolicyStore | undefined;
  readonly collective: string;
}

/**
 * Run a DDL action for the mine through the same path as a request: agent
 * and action looked up, inputs validated and defaulted by the DDL, the
 * action dispatched with its timeout (the function's, when shorter). A bus
 * definition is also re-authorized for its author on every run. The
 * action's data is kept when its JSON fits `maxOutputBytes`.
 */
export async function runAction(fn: MineFunction, deps: ActionRunnerDeps, signal: AbortSignal): Promise<RunOutcome> {
  const agent = deps.agents.get(fn.agent ?? '');
  if (!agent) return { statuscode: Status.UnknownAction, statusmsg: `unknown agent '${fn.agent}' on this node` };
  const action = agent.actions.get(fn.action ?? '');
  if (!action) return { statuscode: Status.UnknownAction, statusmsg: `unknown action '${fn.action}' of agent '${fn.agent}' (known: ${agent.actionList})` };
  const callerid = fn.definedBy ?? 'cohortd=mine';
  if (fn.definedBy !== undefined && deps.policies) {
    const decision = deps.policies.decide(agent.name, action.ddl.action, callerid, deps.view());
    if (!decision.allowed) return { statuscode: Status.Aborted, statusmsg: `not authorized: ${decision.reason}` };
  }
  let input: Record<string, unknown>;
  try {
    input = validateInputs(action.ddl, { ...fn.inputs });
  } catch (err) {
    return { statuscode: Status.InvalidData, statusmsg: errorMessage(err) };
  }
  const timeoutMs = Math.min(agent.timeoutMs, fn.timeoutMs ?? agent.timeoutMs);
  const base = {
    log: agent.log,
    node: deps.node,
    request: { id: `mine-${fn.name}-${Date.now()}`, callerid, sender: deps.node.identity, agent: agent.name, action: action.ddl.action, collective: deps.collective },
  };
  const outcome = await dispatch(action.ddl.action, action.handler, input, base, { timeoutMs, shutdown: signal });
  const data = outcome.data === undefined ? undefined : { ...action.defaults, ...outcome.data };
  if (data !== undefined && Buffer.byteLength(JSON.stringify(data)) > fn.maxOutputBytes) {
    return { statuscode: Status.UnknownError, statusmsg: `the action's data exceeded max_output (${fn.maxOutputBytes} bytes): not kept; raise max_output for this function` };
  }
  return { statuscode: outcome.status, statusmsg: outcome.message, ...(data !== undefined ? { data } : {}) };
}
