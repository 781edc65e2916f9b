import { markedCollective } from './render.js';

/**
 * Diffing the directory against what it should hold. Pure. Only files this
 * tool wrote for the same collective (marked on their first line) are ever
 * overwritten or deleted; anything else is left alone, and a wanted name
 * held by such a file is reported as blocked.
 */

/** A `.cfg` file found in the directory. */
export interface ExistingFile {
  content: string;
}

export interface SyncPlan {
  /** Files to write (new or changed), name → content. */
  write: Map<string, string>;
  /** Our files that are no longer wanted. */
  remove: string[];
  /** Wanted names held by files this tool did not write (or wrote for another collective): left alone. */
  blocked: string[];
  /** Wanted files already up to date. */
  unchanged: number;
}

/** True when the file is ours: written by this tool for `collective`. */
export function isOurs(content: string, collective: string): boolean {
  return markedCollective(content) === collective;
}

export function planSync(desired: ReadonlyMap<string, string>, existing: ReadonlyMap<string, ExistingFile>, collective: string): SyncPlan {
  const write = new Map<string, string>();
  const blocked: string[] = [];
  let unchanged = 0;
  for (const [name, content] of desired) {
    const found = existing.get(name);
    if (found === undefined) write.set(name, content);
    else if (!isOurs(found.content, collective)) blocked.push(name);
    else if (found.content === content) unchanged++;
    else write.set(name, content);
  }
  const remove = [...existing.entries()]
    .filter(([name, f]) => !desired.has(name) && isOurs(f.content, collective))
    .map(([name]) => name)
    .sort();
  return { write, remove, blocked: blocked.sort(), unchanged };
}

/** True when the plan changes nothing. */
export function isEmptyPlan(plan: SyncPlan): boolean {
  return plan.write.size === 0 && plan.remove.length === 0;
}
