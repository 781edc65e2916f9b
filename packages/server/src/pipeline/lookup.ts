import { Status, type RequestMessage } from '@cohort/core';
import type { AgentLookup, HostedAction, HostedAgent } from '../registry.js';
import { Refusal } from './outcome.js';

/** The agent and action a request will run. */
export interface Target {
  readonly agent: HostedAgent;
  readonly action: HostedAction;
}

/** Stage 5: find the agent and action, or refuse with status 2 naming what exists. */
export function lookupStage(request: RequestMessage, agents: AgentLookup, identity: string): Target | Refusal {
  const agent = agents.get(request.agent);
  if (!agent) return new Refusal(Status.UnknownAction, `Unknown agent '${request.agent}' on node ${identity}`);
  const action = agent.actions.get(request.action);
  if (!action) {
    return new Refusal(Status.UnknownAction, `Unknown action '${request.action}' for agent '${agent.name}'; valid actions: ${agent.actionList}`);
  }
  return { agent, action };
}
