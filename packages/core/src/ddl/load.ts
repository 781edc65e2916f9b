import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load as loadYaml, YAMLException } from 'js-yaml';
import { DdlError } from '../errors.js';
import { jsonErrorOffset, lineColumn } from './json-position.js';
import { checkDdlSchema } from './schema.js';
import { checkSemantics } from './semantics.js';
import type { Ddl } from './types.js';

const yamlFile = /\.ya?ml$/i;

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = (err as Error).message
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/,\s*".*" is not valid JSON$/s, '');
    const offset = jsonErrorOffset(text);
    const at = offset === undefined ? undefined : lineColumn(text, offset);
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.column}`;
    throw new DdlError(file, '', `invalid JSON${where}: ${detail}`, { cause: err });
  }
}

function parseYaml(text: string, file: string): unknown {
  try {
    // CORE_SCHEMA: plain JSON-like types only (no timestamps turning into Dates).
    return loadYaml(text, { filename: file, schema: CORE_SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    const where = `at line ${err.mark.line + 1}, column ${err.mark.column + 1}`;
    throw new DdlError(file, '', `invalid YAML ${where}: ${err.reason}`, { cause: err });
  }
}

/**
 * Parse DDL text (JSON, or YAML when `file` ends in .yaml/.yml) and validate it
 * against the DDL schema plus the semantic checks the schema cannot express.
 * `file` is only used to choose the format and in error messages. Throws
 * DdlError(file, JSON path, reason), e.g.
 * `ddl/foo.json at /actions/0/input/name: must have required property 'maxlength'`.
 * The returned DDL is owned by the caller but treated as immutable by the
 * validators, which cache per action object.
 */
export function parseDdl(text: string, file: string): Ddl {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const doc = yamlFile.test(file) ? parseYaml(body, file) : parseJson(body, file);
  checkDdlSchema(doc, file);
  return checkSemantics(doc, file);
}

/** Read and parse a DDL file. Throws DdlError with file, JSON path and reason. */
export function loadDdlFile(file: string): Ddl {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DdlError(file, '', `cannot read the DDL file: ${(err as Error).message}`, { cause: err });
  }
  return parseDdl(text, file);
}
