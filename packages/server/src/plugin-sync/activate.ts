import type { Agent, AgentLogger, NodeInfo } from '@cohort/agents';
import type { Ddl } from '@cohort/core';
import { activation } from '../loader.js';
import { findPlugins, loadPlugin } from '../plugins.js';

/**
 * Load the agent `name` from an installed plugin directory exactly as the
 * plugin directories are loaded (findPlugins + loadPlugin, so modules and
 * external executables alike), then run its activation check. Throws with
 * the reason it cannot run here.
 */
export async function loadInstalled(dir: string, name: string, node: NodeInfo, log: AgentLogger): Promise<{ agent: Agent; ddl: Ddl; source: string }> {
  const problems: string[] = [];
  const candidate = findPlugins([dir], (err) => problems.push(err.message)).find((c) => c.name === name);
  if (problems.length) throw new Error(problems.join('; '));
  if (!candidate) throw new Error(`the plugin holds no agent '${name}' (a DDL ${name}.json or ${name}.yaml and its implementation)`);
  const { agent, ddl } = await loadPlugin(candidate);
  const active = await activation(agent, { log, node });
  if (active !== true) throw new Error(`not active on this node: ${active}`);
  return { agent, ddl, source: candidate.moduleFile ?? candidate.executableFile ?? candidate.ddlFile ?? dir };
}

/** An agent logger for state `debug`: its debug lines are written at info level, marked, whatever the daemon's level. */
export function debugLogger(log: AgentLogger): AgentLogger {
  return {
    error: (m, meta) => log.error(m, meta),
    warn: (m, meta) => log.warn(m, meta),
    info: (m, meta) => log.info(m, meta),
    debug: (m, meta) => log.info(`(debug) ${m}`, meta),
  };
}
