// A NodeInfo and an ActionContext for calling built-in agents in unit tests,
// over a real loaded server config (cohortd's validation and spec defaults)
// and with inputs defaulted by the agent's real DDL, as the daemon does.
import { join } from 'node:path';
import { fail, type ActionContext, type ActionHandler, type NodeInfo } from '@cohort/agents';
import { builtinDdlDir, configValue, findAction, loadDdlFile, redactSecrets, validateInputs } from '@cohort/core';
import { loadServerConfig, serverConfigSpec } from '@cohort/agents';
import { silentLogger } from '@cohort/core/log';

/**
 * A NodeInfo whose config is `settings` (nested like the config file:
 * `{ nrpe: { conf_file: ... } }`) loaded as cohortd loads it; a bad value
 * throws cohortd's ConfigError. `extra` overrides any member.
 */
export function configNode(settings: Record<string, unknown>, extra: Partial<NodeInfo> = {}): NodeInfo {
  const { config } = loadServerConfig({ env: {}, flags: { identity: 'test', ...settings }, cwd: '/' });
  return {
    identity: config.identity,
    collectives: config.collectives,
    configFile: undefined,
    startTime: 0,
    facts: () => ({}),
    classes: () => [],
    agents: () => [],
    unloadedAgents: () => [],
    configItem: (key) => redactSecrets(key, configValue(serverConfigSpec, config, key)),
    section: (name) => config[name],
    stats: () => ({ total: 0, validated: 0, unvalidated: 0, passed: 0, filtered: 0, replies: 0, ttlexpired: 0, events: 0, dropped: {} }),
    dataSources: [],
    data: () => undefined,
    ...extra,
  };
}

/** What an ActionContext may be built with; the deadline defaults to 30 s from now. */
export interface ContextOptions {
  readonly signal?: AbortSignal;
  readonly deadline?: number;
  readonly log?: ActionContext['log'];
  readonly callerid?: string;
  readonly agent?: string;
  readonly action?: string;
  readonly collective?: string;
}

/** The context the daemon's dispatcher would hand an action on `node`. */
export function actionContext(node: NodeInfo, options: ContextOptions = {}): ActionContext {
  const agent = options.agent ?? 'test';
  return {
    signal: options.signal ?? new AbortController().signal,
    deadline: options.deadline ?? Date.now() + 30_000,
    log: options.log ?? silentLogger(),
    node,
    fail,
    request: { id: 'r', callerid: options.callerid ?? 'user=test', sender: 'c', agent, action: options.action ?? 'x', collective: options.collective ?? node.collectives[0] ?? 'cohort' },
  };
}

/** `input` as a built-in agent's action receives it: validated against its DDL (ddl/<agent>.json), defaults filled in. */
export function daemonInput(agent: string, action: string, input: Record<string, unknown>): Record<string, unknown> {
  const ddl = loadDdlFile(join(builtinDdlDir(), `${agent}.json`));
  const found = findAction(ddl, action);
  if (!found) throw new Error(`no action ${agent}#${action} in its DDL`);
  return validateInputs(found, input);
}

/** Call a built-in agent's action as the daemon would: DDL-validated and defaulted inputs, then the handler. */
export async function callAction(handler: ActionHandler | undefined, agent: string, action: string, input: Record<string, unknown>, ctx: ActionContext): Promise<unknown> {
  if (!handler) throw new Error(`agent ${agent} has no action ${action}`);
  return handler(daemonInput(agent, action, input), ctx);
}
