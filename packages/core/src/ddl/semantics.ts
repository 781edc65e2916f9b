import { DdlError } from '../errors.js';
import { compileValidation } from './regex.js';
import type { Ddl, DdlAction, DdlInput } from './types.js';
import { isPlainObject, matchesType, typeNouns } from './value-types.js';

/**
 * Checks on a schema-valid DDL that the JSON Schema cannot express. Each
 * failure is a DdlError naming the file, the JSON path and the reason.
 */

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

// The schema accepts Choria's capitalised `Hash`/`Array`; Cohort uses the lower-case names.
function normaliseTypes(action: DdlAction): void {
  for (const item of [...Object.values(action.input), ...Object.values(action.output)]) {
    if (typeof item.type === 'string') item.type = item.type.toLowerCase() as typeof item.type;
  }
}

function checkInput(input: DdlInput, path: string, file: string): void {
  if (input.type === 'string') {
    const max = input.maxlength ?? 0;
    if (!Number.isInteger(max) || max < 0) {
      throw new DdlError(file, `${path}/maxlength`, 'must be a whole number of characters, 0 for unlimited');
    }
    try {
      compileValidation(input.validation ?? '');
    } catch (err) {
      throw new DdlError(file, `${path}/validation`, `is not a valid regular expression: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (input.type === 'list' && (input.list ?? []).length === 0) {
    throw new DdlError(file, `${path}/list`, 'must name at least one allowed value');
  }
  const repeated = (input.list ?? []).find((v, i, all) => all.indexOf(v) !== i);
  if (input.type === 'list' && repeated !== undefined) {
    throw new DdlError(file, `${path}/list`, `names '${String(repeated)}' twice; list each allowed value once`);
  }
  const dflt = input.default;
  if (dflt === undefined || dflt === null) return;
  if (!matchesType(input.type, dflt)) {
    const expected = `must be ${typeNouns[input.type]} like the input's type '${input.type}'`;
    throw new DdlError(file, `${path}/default`, expected);
  }
  if (input.type === 'list' && !(input.list ?? []).includes(dflt)) {
    throw new DdlError(file, `${path}/default`, `must be one of the list: ${(input.list ?? []).join(', ')}`);
  }
}

function checkAggregates(action: DdlAction, path: string, file: string): void {
  const outputs = Object.keys(action.output);
  (action.aggregate ?? []).forEach((call, j) => {
    const at = `${path}/aggregate/${j}`;
    if (typeof call.function !== 'string' || call.function === '') {
      throw new DdlError(file, `${at}/function`, 'must name the aggregate function, e.g. "summary"');
    }
    const args: unknown = call.args;
    if (!Array.isArray(args) || typeof args[0] !== 'string') {
      throw new DdlError(file, `${at}/args`, 'must be an array whose first element names an output of the action');
    }
    if (!Object.hasOwn(action.output, args[0])) {
      const known = outputs.length > 0 ? outputs.join(', ') : 'none';
      throw new DdlError(
        file,
        `${at}/args/0`,
        `names output '${args[0]}' which action '${action.action}' does not have (outputs: ${known})`,
      );
    }
    args.slice(1).forEach((arg: unknown, k) => {
      if (typeof arg === 'string') return;
      if (!isPlainObject(arg)) throw new DdlError(file, `${at}/args/${k + 1}`, 'must be a string or an object');
      if (arg['format'] !== undefined && typeof arg['format'] !== 'string') {
        throw new DdlError(file, `${at}/args/${k + 1}/format`, 'must be a format string, e.g. "%s: %d"');
      }
    });
  });
}

// `extra_inputs` (a Cohort extension) must name one of the action's hash inputs.
function checkExtraInputs(action: DdlAction, path: string, file: string): void {
  const target: unknown = action.extra_inputs;
  if (target === undefined) return;
  const at = `${path}/extra_inputs`;
  if (typeof target !== 'string') throw new DdlError(file, at, 'must name a hash input of the action, e.g. "parameters"');
  const input = Object.hasOwn(action.input, target) ? action.input[target] : undefined;
  if (input === undefined) throw new DdlError(file, at, `names input '${target}' which action '${action.action}' does not have`);
  if (input.type !== 'hash') throw new DdlError(file, at, `names input '${target}' of type '${input.type}'; it must be a hash input`);
}

/** Check a schema-valid DDL document and return it typed (types normalised to lower case). */
export function checkSemantics(doc: unknown, file: string): Ddl {
  if (!isPlainObject(doc)) throw new DdlError(file, '', 'must be an object with metadata and actions');
  for (const key of ['metadata', 'actions']) {
    if (doc[key] === undefined) throw new DdlError(file, '', `must have required property '${key}'`);
  }
  const ddl = doc as unknown as Ddl;
  if (!(ddl.metadata.timeout > 0)) throw new DdlError(file, '/metadata/timeout', 'must be more than 0 seconds');
  const seen = new Map<string, number>();
  ddl.actions.forEach((action, i) => {
    const path = `/actions/${i}`;
    const first = seen.get(action.action);
    if (first !== undefined) {
      const reason = `duplicate action '${action.action}' (first defined at /actions/${first})`;
      throw new DdlError(file, `${path}/action`, reason);
    }
    seen.set(action.action, i);
    for (const [name, output] of Object.entries(action.output)) {
      if (!isPlainObject(output)) throw new DdlError(file, `${path}/output/${esc(name)}`, 'must be an object');
    }
    normaliseTypes(action);
    for (const [name, input] of Object.entries(action.input)) checkInput(input, `${path}/input/${esc(name)}`, file);
    checkExtraInputs(action, path, file);
    checkAggregates(action, path, file);
  });
  return ddl;
}
