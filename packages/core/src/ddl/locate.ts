import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DdlError } from '../errors.js';
import { loadDdlFile } from './load.js';
import type { Ddl } from './types.js';

/** File extensions tried, in order, when looking for `<agent>.<ext>`. */
export const ddlExtensions = ['.json', '.yaml', '.yml'] as const;

// Agent names reach this module from requests; anything that could walk the
// file system (`/`, `..`) is simply "not found".
const safeAgentName = /^[A-Za-z0-9_-]+$/;

/**
 * The first `<dir>/<agent>.json`, `.yaml` or `.yml` that exists, trying the
 * directories in order; undefined when there is none (or the agent name is not
 * a plain name).
 */
export function locateDdl(agent: string, dirs: readonly string[]): string | undefined {
  if (!safeAgentName.test(agent)) return undefined;
  for (const dir of dirs) {
    for (const ext of ddlExtensions) {
      const file = join(dir, `${agent}${ext}`);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

/** Looks up an agent's DDL by name; see {@link createDdlResolver}. */
export type DdlResolver = (agent: string) => Ddl | undefined;

/**
 * A resolver that finds `<agent>.json|yaml|yml` in `dirs` (first match wins),
 * loads and validates it once and caches the result, including "no DDL"
 * answers. A broken DDL throws DdlError every time it is asked for (it is not
 * cached, so a fixed file is picked up), as does a DDL whose `metadata.name`
 * differs from its file name.
 */
export function createDdlResolver(dirs: readonly string[]): DdlResolver {
  const cache = new Map<string, Ddl | undefined>();
  const searched = [...dirs];
  return (agent) => {
    if (cache.has(agent)) return cache.get(agent);
    const file = locateDdl(agent, searched);
    const ddl = file === undefined ? undefined : loadDdlFile(file);
    if (file !== undefined && ddl !== undefined && ddl.metadata.name !== agent) {
      throw new DdlError(
        file,
        '/metadata/name',
        `names agent '${ddl.metadata.name}' but the file is named for '${agent}'; rename the file or fix metadata.name`,
      );
    }
    cache.set(agent, ddl);
    return ddl;
  };
}
