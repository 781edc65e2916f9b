import { InputError } from '../errors.js';
import type { DdlAction, DdlInput } from './types.js';

/** `'fact' (Fact to retrieve)`: how messages name an input. */
export function inputLabel(name: string, input: DdlInput | undefined): string {
  return input === undefined ? `'${name}'` : `'${name}' (${input.description})`;
}

/** The InputError (status 4) for a request key the action does not declare, listing the valid ones. */
export function unknownInputError(action: DdlAction, name: string): InputError {
  const valid = Object.keys(action.input);
  const hint = valid.length === 0 ? `action '${action.action}' takes no inputs` : `valid inputs: ${valid.join(', ')}`;
  return new InputError(name, 4, `unknown input '${name}' for action '${action.action}'; ${hint}`);
}
