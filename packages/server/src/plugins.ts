import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { asAgent, type Agent } from '@cohort/agents';
import { errorMessage, loadDdlFile, type Ddl } from '@cohort/core';
import { PluginError } from './errors.js';
import { agentConfigFile, executableExts, externalAgent, notExecutableReason, readAgentConfig } from './external/index.js';

const ddlExts = new Set(['.json', '.yaml', '.yml']);
const moduleExts = new Set(['.js', '.mjs']);
const agentName = /^[a-z0-9_]+$/;

/** A custom agent found in a plugin directory: its DDL and/or module file, or an executable (docs/external-agents.md). */
export interface PluginCandidate {
  readonly name: string;
  readonly ddlFile: string | undefined;
  readonly moduleFile: string | undefined;
  /** An external agent: `<name>` or `<name>.py|sh|...` beside the DDL. */
  readonly executableFile?: string | undefined;
}

function filesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isFile() ? [join(dir, e.name)] : []));
}

/**
 * Agents in the plugin directories (and their immediate subdirectories, so
 * `examples/agents` finds `echo/echo.json`): files `<name>.json|yaml|yml`
 * paired with `<name>.js|mjs`, or with an executable `<name>` or
 * `<name>.py|sh|bash|pl|rb|php|lua|bin` (an external agent; whether it may be
 * run is checked by loadPlugin). The first directory holding a name wins. A
 * directory that cannot be read is reported to `onError` and skipped.
 */
export function findPlugins(dirs: readonly string[], onError: (error: PluginError) => void): PluginCandidate[] {
  const found = new Map<string, { ddlFile?: string; moduleFile?: string; executableFile?: string }>();
  for (const dir of dirs) {
    let files: string[];
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
      const subdirs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
      files = [...filesIn(dir), ...subdirs.flatMap((e) => filesIn(join(dir, e.name)))];
    } catch (err) {
      onError(new PluginError(dir, `cannot read the plugin directory: ${errorMessage(err)}`, { cause: err }));
      continue;
    }
    for (const file of files.sort()) {
      const ext = extname(file);
      const name = basename(file, ext);
      if (!agentName.test(name) || name === 'package') continue;
      const entry = found.get(name) ?? {};
      if (ddlExts.has(ext)) entry.ddlFile ??= file;
      else if (moduleExts.has(ext)) entry.moduleFile ??= file;
      else if (executableExts.has(ext)) entry.executableFile ??= file;
      else continue;
      found.set(name, entry);
    }
  }
  return [...found].map(([name, e]) => ({ name, ddlFile: e.ddlFile, moduleFile: e.moduleFile, ...(e.executableFile !== undefined ? { executableFile: e.executableFile } : {}) }));
}

/**
 * Check an implementation and a DDL describe the same agent and actions;
 * returns the reason they do not, or undefined.
 */
export function mismatch(agent: Agent, ddl: Ddl, moduleLabel: string, ddlLabel: string): string | undefined {
  if (agent.name !== ddl.metadata.name) return `${moduleLabel} defines agent '${agent.name}' but ${ddlLabel} describes '${ddl.metadata.name}'`;
  const declared = new Set(ddl.actions.map((a) => a.action));
  const implemented = Object.keys(agent.actions);
  const extra = implemented.filter((a) => !declared.has(a));
  const missing = [...declared].filter((a) => !Object.hasOwn(agent.actions, a));
  const problems = [
    ...(extra.length ? [`actions in ${moduleLabel} missing from ${ddlLabel}: ${extra.join(', ')}`] : []),
    ...(missing.length ? [`actions in ${ddlLabel} not implemented in ${moduleLabel}: ${missing.join(', ')}`] : []),
  ];
  return problems.length ? problems.join('; ') : undefined;
}

function loadPluginDdl(ddlFile: string): Ddl {
  try {
    return loadDdlFile(ddlFile);
  } catch (err) {
    throw new PluginError(ddlFile, `bad DDL: ${errorMessage(err)}`, { cause: err });
  }
}

/** An external agent: the executable must be runnable and the DDL's name its own; its actions are the DDL's. */
function loadExternal(name: string, executableFile: string, ddlFile: string | undefined): { agent: Agent; ddl: Ddl } {
  if (!ddlFile) throw new PluginError(executableFile, `no DDL ${name}.json (or .yaml) beside the executable`);
  const ddl = loadPluginDdl(ddlFile);
  if (ddl.metadata.name !== name) throw new PluginError(ddlFile, `describes agent '${ddl.metadata.name}' but sits beside the executable ${basename(executableFile)} of agent '${name}'`);
  const notRunnable = notExecutableReason(executableFile);
  if (notRunnable) throw new PluginError(executableFile, notRunnable);
  let config: Record<string, unknown>;
  try {
    config = readAgentConfig(agentConfigFile(executableFile, name));
  } catch (err) {
    throw new PluginError(executableFile, `bad agent configuration: ${errorMessage(err)}`, { cause: err });
  }
  return { agent: externalAgent({ executable: executableFile, ddl, config }), ddl };
}

/**
 * Load a plugin's DDL and module (or, without a module, its external
 * executable) and check they agree. Throws PluginError naming the file and
 * reason.
 */
export async function loadPlugin(candidate: PluginCandidate): Promise<{ agent: Agent; ddl: Ddl }> {
  const { name, ddlFile, moduleFile, executableFile } = candidate;
  // A module wins over an executable of the same name (a JS agent's helper script stays a helper).
  if (executableFile && !moduleFile) return loadExternal(name, executableFile, ddlFile);
  if (!moduleFile) throw new PluginError(ddlFile ?? name, `no module ${name}.js or ${name}.mjs (or executable ${name}, ${name}.py, ${name}.sh, ...) beside the DDL`);
  if (!ddlFile) throw new PluginError(moduleFile, `no DDL ${name}.json (or .yaml) beside the module`);
  const ddl = loadPluginDdl(ddlFile);
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(moduleFile).href)) as { default?: unknown }).default;
  } catch (err) {
    throw new PluginError(moduleFile, `the module failed to import: ${errorMessage(err)}`, { cause: err });
  }
  let agent: Agent;
  try {
    agent = asAgent(exported);
  } catch (err) {
    throw new PluginError(moduleFile, errorMessage(err), { cause: err });
  }
  const problem = mismatch(agent, ddl, basename(moduleFile), basename(ddlFile));
  if (problem) throw new PluginError(moduleFile, problem);
  return { agent, ddl };
}
