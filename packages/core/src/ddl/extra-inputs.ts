import { InputError } from '../errors.js';
import { inputLabel } from './describe.js';
import type { DdlAction } from './types.js';
import { isPlainObject } from './value-types.js';

/**
 * The `extra_inputs` DDL extension: an action may name one `hash` input that
 * collects every input the action does not declare (puppetral's resource
 * parameters). Both coercion and validation fold such inputs in, so the CLI,
 * the client library and the node all accept them.
 */

/**
 * Move the keys of `data` that `action` does not declare into its
 * `extra_inputs` hash input, merged over any hash already given there (the
 * loose keys win). Returns `data` itself when the action has no
 * `extra_inputs` or nothing needs moving, else a new object. Throws
 * InputError status 4 when the collecting input holds something other than a
 * hash.
 */
export function foldExtraInputs(action: DdlAction, data: Record<string, unknown>): Record<string, unknown> {
  const target = action.extra_inputs;
  if (target === undefined) return data;
  let extras: Record<string, unknown> | undefined;
  for (const key of Object.keys(data)) {
    if (Object.hasOwn(action.input, key)) continue;
    extras ??= {};
    extras[key] = data[key];
  }
  if (extras === undefined) return data;
  const given = data[target];
  if (given !== undefined && !isPlainObject(given)) {
    const names = Object.keys(extras).join(', ');
    throw new InputError(target, 4, `input ${inputLabel(target, action.input[target])}: must be a hash to collect the other inputs (${names})`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data)) if (Object.hasOwn(action.input, key)) out[key] = data[key];
  out[target] = { ...given, ...extras };
  return out;
}
