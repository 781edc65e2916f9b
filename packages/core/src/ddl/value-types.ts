import type { InputType } from './types.js';

/**
 * The JavaScript shape of each DDL data type, shared by the DDL loader (input
 * defaults), the input validator's messages and coercion.
 */

/** A plain object (a DDL `hash`): not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` has the JavaScript shape of DDL type `type` (list membership is not checked). */
export function matchesType(type: InputType, value: unknown): boolean {
  switch (type) {
    case 'string':
    case 'list':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'float':
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'hash':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** "a string", "an integer", ... for messages like "must be a string". */
export const typeNouns: Readonly<Record<InputType, string>> = {
  string: 'a string',
  list: 'a string',
  boolean: 'a boolean (true or false)',
  integer: 'an integer (a whole number)',
  float: 'a number',
  number: 'a number',
  hash: 'a hash (a JSON object)',
  array: 'an array',
};
