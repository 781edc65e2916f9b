/**
 * DDL loading, validation and coercion (STUB: signatures fixed, implementation owned by the DDL work).
 */
import { DdlError, InputError } from '../errors.js';
import type { Ddl, DdlAction } from './types.js';

/** Parse DDL text (JSON, or YAML when `file` ends in .yaml/.yml) and validate it against the DDL schema. */
export function parseDdl(text: string, file: string): Ddl {
  void text;
  throw new DdlError(file, '', 'not implemented');
}

/** Read and parse a DDL file. Throws DdlError with file, JSON path and reason. */
export function loadDdlFile(file: string): Ddl {
  throw new DdlError(file, '', 'not implemented');
}

/** Find an action by name. */
export function findAction(ddl: Ddl, action: string): DdlAction | undefined {
  return ddl.actions.find((a) => a.action === action);
}

/**
 * Validate typed request data against an action's inputs and return a new object
 * with defaults applied. Throws InputError (status 3 for a missing required input,
 * 4 for an invalid or unknown one) whose message names the input and shows its description.
 */
export function validateInputs(action: DdlAction, data: Record<string, unknown>): Record<string, unknown> {
  void action;
  return data;
}

/** Coerce CLI `key=value` strings to the DDL types of the action's inputs. Throws InputError. */
export function coerceInputs(action: DdlAction, raw: Record<string, string>): Record<string, unknown> {
  void action;
  void raw;
  throw new InputError('', 4, 'not implemented');
}

/** An action's outputs pre-filled from their DDL defaults (null when none). */
export function outputDefaults(action: DdlAction): Record<string, unknown> {
  return Object.fromEntries(Object.entries(action.output).map(([k, o]) => [k, o.default ?? null]));
}

/** TypeScript declarations for an agent's actions, inputs and outputs, generated from its DDL. */
export function generateAgentTypes(ddl: Ddl): string {
  void ddl;
  return '';
}
