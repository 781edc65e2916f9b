/**
 * Compound (`-S`) expressions: parse (with a bounded cache for the node side)
 * and evaluate.
 */
import { FilterSyntaxError } from '../../errors.js';
import { BoundedCache } from '../cache.js';
import type { CompoundNode } from './ast.js';
import { parseCompoundNode } from './parser.js';

export { evaluateCompound } from './evaluate.js';
export { parseCompoundNode } from './parser.js';
export type { CompoundNode } from './ast.js';

// Size-aware: at most 256 Ki source characters of parsed compounds are kept.
const parsed = new BoundedCache<string, CompoundNode | null>(512, { maxWeight: 256 * 1024, weigh: (source) => source.length });

/** Parse with memoisation; null when the source does not parse (such a compound never matches). */
export function cachedCompound(source: string): CompoundNode | null {
  const hit = parsed.get(source);
  if (hit !== undefined) return hit;
  try {
    return parsed.set(source, parseCompoundNode(source));
  } catch (err) {
    if (err instanceof FilterSyntaxError) return parsed.set(source, null);
    throw err;
  }
}
