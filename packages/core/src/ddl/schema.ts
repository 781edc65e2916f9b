import type { ErrorObject } from 'ajv';
import { DdlError } from '../errors.js';
import {
  validateDdlDocument,
  validateDdlListInput,
  validateDdlOtherInput,
  validateDdlStringInput,
  type CompiledValidator,
} from '../generated/validators.js';
import { inputTypes } from './types.js';

/**
 * Validation of a parsed DDL document against the agent DDL JSON Schema in
 * `ddl/schema/` (Choria's, see its README). The schema is compiled into plain
 * functions at build time (packages/core/scripts/compile-validators.mjs).
 */

const inputValidators: Readonly<Record<'string' | 'list' | 'other', CompiledValidator>> = {
  string: validateDdlStringInput,
  list: validateDdlListInput,
  other: validateDdlOtherInput,
};

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
function inputProblem(doc: unknown, path: string): Problem | undefined {
  const item = pointer(doc, path);
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return { path, reason: 'must be an object' };
  const type = (item as Record<string, unknown>)['type'];
  if (type === undefined) return { path, reason: "must have required property 'type'" };
  const def =
    type === 'string' || type === 'list' ? type : otherTypes.has(String(type)) ? 'other' : undefined;
  if (def === undefined) return { path: `${path}/type`, reason: `must be one of: ${inputTypes.join(', ')}` };
  const validate = inputValidators[def];
  if (validate(item)) return undefined;
  const e = firstReal(validate.errors ?? []);
  return e === undefined ? undefined : { path: path + e.instancePath, reason: reason(e) };
}

/** Validate a parsed DDL against the schema; throws DdlError(file, JSON path, reason) on the first problem. */
export function checkDdlSchema(doc: unknown, file: string): void {
  if (validateDdlDocument(doc)) return;
  const errors = validateDdlDocument.errors ?? [];
  const first = firstReal(errors);
  if (first === undefined) throw new DdlError(file, '', 'does not satisfy the DDL schema');
  const inInput = inputItemPath.exec(first.instancePath);
  const problem = (inInput !== null ? inputProblem(doc, inInput[0]) : undefined) ?? {
    path: first.instancePath,
    reason: reason(first),
  };
  throw new DdlError(file, problem.path, problem.reason);
}
