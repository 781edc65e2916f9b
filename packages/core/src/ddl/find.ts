import type { Ddl, DdlAction } from './types.js';

/** Find an action of a DDL by name; undefined when the agent has no such action. */
export function findAction(ddl: Ddl, action: string): DdlAction | undefined {
  return ddl.actions.find((a) => a.action === action);
}
