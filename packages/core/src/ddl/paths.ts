import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * Absolute path of the repository's top-level `ddl/` directory (the DDLs of
 * the bundled agents and `ddl/schema/`). Found by walking up from this module's
 * location (`packages/core/{dist,src}/ddl/`, or wherever a bundler put it) to
 * the first directory holding `ddl/schema/`.
 */
export function builtinDdlDir(): string {
  if (cached !== undefined) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'ddl', 'schema'))) return (cached = join(dir, 'ddl'));
    if (dirname(dir) === dir) break;
  }
  return (cached = fileURLToPath(new URL('../../../../ddl', import.meta.url)));
}

/** Absolute path of the JSON Schema every agent DDL must satisfy (`ddl/schema/agent-ddl-schema-v1.json`). */
export function ddlSchemaFile(): string {
  return join(builtinDdlDir(), 'schema', 'agent-ddl-schema-v1.json');
}
