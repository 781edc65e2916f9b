import { createRequire } from 'node:module';
import type { Ajv as AjvType, ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../errors.js';
import { inputLabel, unknownInputError } from './describe.js';
import { foldExtraInputs } from './extra-inputs.js';
import { compileValidation } from './regex.js';
import type { DdlAction, DdlInput } from './types.js';
import { typeNouns } from './value-types.js';

/**
 * Request input validation: each action's inputs become a JSON Schema, compiled
 * with ajv on first use and cached per action object.
 */

/** A compiled check: ajv's, or the tiny one for actions without inputs. */
type InputCheck = Pick<ValidateFunction, 'errors'> & ((data: unknown) => boolean);

interface CompiledAction {
  validate: InputCheck;
  /** Inputs with a non-null default, applied when the request leaves them out. */
  defaults: Array<[string, unknown]>;
}

const compiledActions = new WeakMap<DdlAction, CompiledAction>();
// ajv is loaded on the first validation, not at import: short CLI commands
// that never validate an input (find, ping, --help) do not pay for loading it.
const requireCjs = createRequire(import.meta.url);
let sharedAjv: AjvType | undefined;

// `ddlValidation` runs a string input's named validator or translated regex.
function inputAjv(): AjvType {
  if (sharedAjv !== undefined) return sharedAjv;
  const { Ajv } = requireCjs('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  ajv.addKeyword({
    keyword: 'ddlValidation',
    type: 'string',
    schemaType: 'string',
    errors: false,
    compile: (validation: string) => {
      const check = compileValidation(validation);
      return (data: string) => check.test(data);
    },
  });
  sharedAjv = ajv;
  return ajv;
}

function propertySchema(input: DdlInput): Record<string, unknown> {
  switch (input.type) {
    case 'string': {
      const max = input.maxlength ?? 0;
      return {
        type: 'string',
        ...(max > 0 ? { maxLength: max } : {}),
        ...(input.validation !== undefined ? { ddlValidation: input.validation } : {}),
      };
    }
    case 'list':
      return { enum: input.list ?? [] };
    case 'boolean':
      return { type: 'boolean' };
    case 'integer':
      return { type: 'integer' };
    case 'float':
    case 'number':
      return { type: 'number' };
    case 'hash':
      return { type: 'object' };
    case 'array':
      return { type: 'array' };
  }
}

function hasDefault(input: DdlInput): boolean {
  return input.default !== undefined && input.default !== null;
}

/** The JSON Schema a request's data must satisfy for `action` (defaults not applied). */
export function inputSchema(action: DdlAction): Record<string, unknown> {
  const entries = Object.entries(action.input);
  return {
    type: 'object',
    properties: Object.fromEntries(entries.map(([name, input]) => [name, propertySchema(input)])),
    required: entries.filter(([, input]) => !input.optional && !hasDefault(input)).map(([name]) => name),
    additionalProperties: false,
  };
}

// An action without inputs accepts only an empty object: no need to load and
// run ajv for it (rpcutil ping, the discovery request, pays ~50 ms less per CLI run).
function noInputsCheck(): InputCheck {
  const check: InputCheck = (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      check.errors = [{ instancePath: '', schemaPath: '#/type', keyword: 'type', params: { type: 'object' }, message: 'must be object' }];
      return false;
    }
    const extra = Object.keys(data)[0];
    if (extra === undefined) return true;
    check.errors = [
      { instancePath: '', schemaPath: '#/additionalProperties', keyword: 'additionalProperties', params: { additionalProperty: extra }, message: 'must NOT have additional properties' },
    ];
    return false;
  };
  return check;
}

function compiled(action: DdlAction): CompiledAction {
  let c = compiledActions.get(action);
  if (c === undefined) {
    c = {
      validate: Object.keys(action.input).length === 0 && action.extra_inputs === undefined ? noInputsCheck() : inputAjv().compile(inputSchema(action)),
      defaults: Object.entries(action.input)
        .filter(([, input]) => hasDefault(input))
        .map(([name, input]) => [name, input.default]),
    };
    compiledActions.set(action, c);
  }
  return c;
}

function problem(e: ErrorObject, input: DdlInput): string {
  if (e.keyword === 'ddlValidation') return compileValidation(input.validation ?? '').message;
  if (e.keyword === 'enum') return `must be one of: ${(input.list ?? []).map(String).join(', ')}`;
  const max = input.maxlength ?? 0;
  if (input.type === 'string' && max > 0 && (e.keyword === 'type' || e.keyword === 'maxLength')) {
    return `must be a string of at most ${max} characters`;
  }
  if (e.keyword === 'type') return `must be ${typeNouns[input.type]}`;
  return e.message ?? `fails the ${e.keyword} check`;
}

function toInputError(action: DdlAction, errors: readonly ErrorObject[]): InputError {
  const missing = errors.find((e) => e.keyword === 'required');
  if (missing !== undefined) {
    const name = String(missing.params['missingProperty']);
    return new InputError(name, 3, `missing required input ${inputLabel(name, action.input[name])}`);
  }
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown !== undefined) return unknownInputError(action, String(unknown.params['additionalProperty']));
  const e = errors[0];
  const name = (e?.instancePath.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
  const input = Object.hasOwn(action.input, name) ? action.input[name] : undefined;
  if (e === undefined || input === undefined) {
    return new InputError(name, 4, `request data for action '${action.action}' must be an object of input values`);
  }
  return new InputError(name, 4, `input ${inputLabel(name, input)}: ${problem(e, input)}`);
}

/**
 * Validate typed request data against an action's inputs and return a NEW
 * object with defaults applied (the argument is never modified). Types:
 * string (maxlength, 0 = unlimited, then `validation`), list (one of `list`),
 * boolean, integer (whole number), float/number (finite), hash (plain object),
 * array. Inputs left out get their non-null DDL `default`, optional or not;
 * defaults are not re-validated (the loader checked their type).
 * Throws InputError: status 3 for a missing required input (not optional, no
 * default), 4 for an unknown input (listing the valid ones) or an invalid
 * value; the message names the input and shows its DDL description, e.g.
 * `input 'fact' (Fact to retrieve): must be a string of at most 256 characters`.
 * An action with `extra_inputs` takes undeclared inputs into that hash input
 * first (foldExtraInputs) instead of refusing them.
 */
export function validateInputs(action: DdlAction, data: Record<string, unknown>): Record<string, unknown> {
  const { validate, defaults } = compiled(action);
  const folded = foldExtraInputs(action, data);
  if (!validate(folded)) throw toInputError(action, validate.errors ?? []);
  const out: Record<string, unknown> = { ...folded };
  for (const [name, value] of defaults) {
    if (out[name] === undefined) out[name] = typeof value === 'object' ? structuredClone(value) : value;
  }
  return out;
}
