import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, loadDdlFile, PluginPackError, type Ddl, type Packed } from '@cohort/core';

/**
 * Check what push can check before anything is stored: the DDL is there,
 * valid and describes the agent plugin.yaml names, and there is an
 * implementation beside it. Returns the DDL; throws PluginPackError naming
 * the file.
 */
export function validatePluginDir(dir: string, packed: Packed): Ddl {
  const { name } = packed.meta;
  const paths = new Set(packed.header.files.map((f) => f.path));
  const ddlPath = [`${name}.json`, `${name}.yaml`, `${name}.yml`].find((p) => paths.has(p));
  if (!ddlPath) throw new PluginPackError(`${dir}: no DDL ${name}.json (or ${name}.yaml) beside plugin.yaml: the agent's actions, inputs and outputs`);
  let ddl: Ddl;
  try {
    ddl = loadDdlFile(join(dir, ddlPath));
  } catch (err) {
    throw new PluginPackError(`${join(dir, ddlPath)}: bad DDL: ${errorMessage(err)}`, { cause: err });
  }
  if (ddl.metadata.name !== name) throw new PluginPackError(`${join(dir, ddlPath)} describes agent '${ddl.metadata.name}' but plugin.yaml names '${name}'`);
  const module = [`${name}.js`, `${name}.mjs`].find((p) => paths.has(p));
  const executable = packed.header.files.find((f) => f.mode === 0o755 && f.path.split('/').pop()?.split('.')[0] === name);
  if (!module && !executable) throw new PluginPackError(`${dir}: no implementation of '${name}': ${name}.js or ${name}.mjs (or an executable ${name})`);
  const file = join(dir, module ?? executable?.path ?? '');
  if (!existsSync(file) || !statSync(file).isFile()) throw new PluginPackError(`${file}: not a file`);
  return ddl;
}
