import {
  builtinDdlDir,
  coerceInputs,
  createDdlResolver,
  ddlExtensions,
  findAction,
  locateDdl,
  UsageError,
  validateInputs,
  type Ddl,
  type DdlAction,
} from '@cohort/core';

/**
 * Where the client finds agent DDLs and how it turns a call into validated
 * request data. Lookups are cached; validators compile on first use (in core).
 */
export interface DdlSource {
  /** Directories searched, in order. */
  readonly dirs: readonly string[];
  /** The agent's DDL; throws UsageError saying where it looked when there is none, DdlError when it is broken. */
  get(agent: string): Ddl;
  /** True when the directories (or the DDLs given) hold a DDL of `agent`; a broken one counts (get says what is wrong). */
  has(agent: string): boolean;
}

/**
 * A DDL source searching `extraDirs` first, then the bundled `ddl/`
 * directory, then the DDLs `given` (from pushed plugins: a local DDL wins).
 */
export function createDdlSource(extraDirs: readonly string[] = [], given: readonly Ddl[] = []): DdlSource {
  const dirs = [...new Set([...extraDirs, builtinDdlDir()])];
  const resolve = createDdlResolver(dirs);
  const byName = new Map(given.map((d) => [d.metadata.name, d]));
  return {
    dirs,
    get(agent) {
      const ddl = resolve(agent) ?? byName.get(agent);
      if (ddl) return ddl;
      throw new UsageError(
        `no DDL found for agent '${agent}': looked for ${agent}{${ddlExtensions.join(',')}} in ${dirs.join(', ')}. ` +
          `Add the agent's DDL to one of these directories or point at its directory with --ddl-dir DIR (config: ddl_dirs)`,
      );
    },
    has: (agent) => locateDdl(agent, dirs) !== undefined || byName.has(agent),
  };
}

/** The DDL action, or a UsageError listing the actions the agent has. */
export function requireAction(ddl: Ddl, action: string): DdlAction {
  const found = findAction(ddl, action);
  if (found) return found;
  const names = ddl.actions.map((a) => a.action).sort();
  throw new UsageError(
    `agent '${ddl.metadata.name}' has no action '${action}'; its actions are: ${names.join(', ')}. See: cohort plugin doc ${ddl.metadata.name}`,
  );
}

/** A request checked against its DDL, ready to send. */
export interface PreparedRequest {
  ddl: Ddl;
  action: DdlAction;
  /** Validated data with DDL defaults applied. */
  data: Record<string, unknown>;
}

/**
 * Check a call against the agent's DDL before anything is sent: the action
 * must exist and the inputs must validate. `raw` string inputs (CLI
 * `key=value`) are coerced to their DDL types first. Throws UsageError,
 * DdlError or InputError.
 */
export function prepareRequest(
  source: DdlSource,
  agent: string,
  action: string,
  input: { data: Record<string, unknown> } | { raw: Record<string, string> },
): PreparedRequest {
  const ddl = source.get(agent);
  const act = requireAction(ddl, action);
  const typed = 'raw' in input ? coerceInputs(act, input.raw) : input.data;
  return { ddl, action: act, data: validateInputs(act, typed) };
}
