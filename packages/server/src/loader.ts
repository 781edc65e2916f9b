import type { ActivationContext, Agent, NodeInfo } from '@cohort/agents';
import { errorMessage, loadDdlFile, locateDdl, type Ddl } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { findPlugins, loadPlugin, mismatch } from './plugins.js';
import type { AgentRegistry } from './registry.js';

/** How long an activation check may take before the agent is skipped. */
const activationTimeoutMs = 10_000;

export interface LoadAgentsOptions {
  readonly registry: AgentRegistry;
  /** Bundled agents and the directory of their DDLs. */
  readonly builtin: readonly Agent[];
  readonly builtinDdlDir: string;
  readonly pluginDirs: readonly string[];
  readonly node: NodeInfo;
  readonly log: Logger;
}

/** Run an agent's activation check (bounded): true, or the reason it does not run here. */
export async function activation(agent: Agent, ctx: ActivationContext): Promise<true | string> {
  if (!agent.activate) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`activation check did not finish within ${activationTimeoutMs / 1000} s`), activationTimeoutMs);
  });
  try {
    const result: unknown = await Promise.race([Promise.resolve().then(() => agent.activate?.(ctx)), timeout]);
    if (result === true) return true;
    return typeof result === 'string' && result !== '' ? result : `activation check returned ${JSON.stringify(result) ?? 'nothing'} instead of true or a reason`;
  } catch (err) {
    return `activation check failed: ${errorMessage(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

async function host(options: LoadAgentsOptions, agent: Agent, ddl: Ddl, source: string): Promise<void> {
  const { registry, log } = options;
  const agentLog = log.child({ ns: `agent:${agent.name}` });
  const active = await activation(agent, { log: agentLog, node: options.node });
  if (active !== true) {
    registry.reject(agent.name, source, active);
    log.warn(`agent '${agent.name}' not loaded: ${active}`, { source });
    return;
  }
  registry.add(agent, ddl, source, agentLog);
  log.info(`agent '${agent.name}' ${ddl.metadata.version} loaded (${ddl.actions.length} actions)`, { source });
}

/**
 * Load the bundled agents (DDL from `builtinDdlDir`) and the custom agents in
 * the plugin directories into the registry. A broken or inactive agent is
 * logged with its file and reason, recorded as not loaded, and skipped; the
 * rest still load. Never throws.
 */
export async function loadAgents(options: LoadAgentsOptions): Promise<void> {
  const { registry, log } = options;
  for (const agent of options.builtin) {
    const file = locateDdl(agent.name, [options.builtinDdlDir]);
    try {
      if (!file) throw new Error(`no DDL ${agent.name}.json in ${options.builtinDdlDir}`);
      const ddl = loadDdlFile(file);
      const problem = mismatch(agent, ddl, 'the built-in implementation', file);
      if (problem) throw new Error(problem);
      await host(options, agent, ddl, 'builtin');
    } catch (err) {
      registry.reject(agent.name, 'builtin', errorMessage(err));
      log.error(`built-in agent '${agent.name}' not loaded: ${errorMessage(err)}`);
    }
  }
  const candidates = findPlugins(options.pluginDirs, (err) => log.error(`${err.message}; no custom agents loaded from it`));
  for (const candidate of candidates) {
    const source = candidate.moduleFile ?? candidate.executableFile ?? candidate.ddlFile ?? candidate.name;
    if (!candidate.moduleFile && !candidate.executableFile) {
      log.debug(`${candidate.ddlFile ?? candidate.name}: DDL without a module or executable, not an agent for this node`);
      continue;
    }
    if (candidate.moduleFile && candidate.executableFile) {
      log.warn(`${candidate.executableFile}: not run as agent '${candidate.name}': the module ${candidate.moduleFile} is the agent`);
    }
    if (!candidate.moduleFile && !candidate.ddlFile) {
      // A helper script or stray file beside the agents: only an executable with a DDL is an agent.
      log.debug(`${candidate.executableFile ?? candidate.name}: executable without a DDL ${candidate.name}.json, not an agent`);
      continue;
    }
    if (registry.has(candidate.name)) {
      const reason = `an agent named '${candidate.name}' is already loaded (${registry.get(candidate.name)?.source ?? 'builtin'})`;
      registry.reject(candidate.name, source, reason);
      log.error(`${source}: not loaded: ${reason}`);
      continue;
    }
    try {
      const { agent, ddl } = await loadPlugin(candidate);
      await host(options, agent, ddl, source);
    } catch (err) {
      registry.reject(candidate.name, source, errorMessage(err));
      log.error(`custom agent '${candidate.name}' not loaded: ${errorMessage(err)}`);
    }
  }
}
