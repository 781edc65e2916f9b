import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the repository's top-level `ddl/` directory (the DDLs of
 * the bundled agents and `ddl/schema/`). Resolved from this module's location,
 * which is `packages/core/{dist,src}/ddl/` in both the built and source trees.
 */
export function builtinDdlDir(): string {
  return fileURLToPath(new URL('../../../../ddl', import.meta.url));
}

/** Absolute path of the JSON Schema every agent DDL must satisfy (`ddl/schema/agent-ddl-schema-v1.json`). */
export function ddlSchemaFile(): string {
  return join(builtinDdlDir(), 'schema', 'agent-ddl-schema-v1.json');
}
