import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { DdlError } from '../errors.js';
import { ddlSchemaFile } from './paths.js';
import { inputTypes } from './types.js';

/**
 * Validation of a parsed DDL document against the agent DDL JSON Schema in
 * `ddl/schema/` (Choria's, see its README). The schema is read and compiled
 * once, on first use.
 */

const schemaKey = 'cohort:agent-ddl';

interface Compiled {
  ajv: Ajv;
  document: ValidateFunction;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  if (compiled !== undefined) return compiled;
  const file = ddlSchemaFile();
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DdlError(file, '', `cannot read the DDL schema: ${(err as Error).message}`, { cause: err });
  }
  // The upstream schema is draft-07 but names its id with the draft-04 `id`
  // keyword, which ajv refuses by default: drop the keyword, and let strict
  // mode off so the schema's annotations (examples, ...) are accepted as is.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.removeKeyword('id');
  ajv.addSchema(schema as object, schemaKey);
  const document = ajv.getSchema(schemaKey);
  if (document === undefined) throw new DdlError(file, '', 'the DDL schema did not compile');
  compiled = { ajv, document };
  return compiled;
}

/** Where a failure is and what it is, for a DdlError. */
interface Problem {
  path: string;
  reason: string;
}

const inputItemPath = /^\/actions\/\d+\/input\/[^/]+/;
const otherTypes = new Set<string>(['boolean', 'integer', 'float', 'number', 'Hash', 'Array', 'hash', 'array']);

function pointer(doc: unknown, path: string): unknown {
  let node = doc;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function reason(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    return `must be one of: ${params['allowedValues'].map(String).join(', ')}`;
  }
  if (e.keyword === 'additionalProperties') return `must not have property '${String(params['additionalProperty'])}'`;
  return e.message ?? `fails the ${e.keyword} rule`;
}

function firstReal(errors: readonly ErrorObject[]): ErrorObject | undefined {
  return errors.find((e) => e.keyword !== 'anyOf' && e.keyword !== 'allOf');
}

// An input fails the schema's anyOf over list/other/string inputs with the
// errors of all three branches; report only those of the branch its `type` picks.
function inputProblem(ajv: Ajv, doc: unknown, path: string): Problem | undefined {
  const item = pointer(doc, path);
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return { path, reason: 'must be an object' };
  const type = (item as Record<string, unknown>)['type'];
  if (type === undefined) return { path, reason: "must have required property 'type'" };
  const def =
    type === 'string' || type === 'list' ? type : otherTypes.has(String(type)) ? 'other' : undefined;
  if (def === undefined) return { path: `${path}/type`, reason: `must be one of: ${inputTypes.join(', ')}` };
  const validate = ajv.getSchema(`${schemaKey}#/definitions/${def}_action_input`);
  if (validate === undefined || validate(item)) return undefined;
  const e = firstReal(validate.errors ?? []);
  return e === undefined ? undefined : { path: path + e.instancePath, reason: reason(e) };
}

/** Validate a parsed DDL against the schema; throws DdlError(file, JSON path, reason) on the first problem. */
export function checkDdlSchema(doc: unknown, file: string): void {
  const { ajv, document } = compile();
  if (document(doc)) return;
  const errors = document.errors ?? [];
  const first = firstReal(errors);
  if (first === undefined) throw new DdlError(file, '', 'does not satisfy the DDL schema');
  const inInput = inputItemPath.exec(first.instancePath);
  const problem = (inInput !== null ? inputProblem(ajv, doc, inInput[0]) : undefined) ?? {
    path: first.instancePath,
    reason: reason(first),
  };
  throw new DdlError(file, problem.path, problem.reason);
}
