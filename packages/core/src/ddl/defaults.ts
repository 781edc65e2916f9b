import type { DdlAction } from './types.js';

function copyOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/**
 * An action's outputs pre-filled from their DDL defaults (null when none), the
 * starting point of every reply so all declared outputs are present. Object
 * and array defaults are copied, so an agent may modify its reply freely.
 */
export function outputDefaults(action: DdlAction): Record<string, unknown> {
  return Object.fromEntries(Object.entries(action.output).map(([name, o]) => [name, copyOf(o.default ?? null)]));
}
