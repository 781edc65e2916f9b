/**
 * The discovery filter language: `-F` fact expressions, `-C`/`-I`/`-A` names
 * and regexes, `-W` combined tokens, `-S` compound expressions, the wire
 * Filter builder and the node-side matcher. See docs/filters.md.
 */
import { parseCompoundNode } from './compound/parser.js';

export { parseFactExpression, parseWithToken } from './fact-expression.js';
export { buildFilter, plainIdentities, type FilterSpec } from './build.js';
export { matchFilter } from './match.js';
export { createDataFunctions, type DataFunction } from './data-functions.js';

/** Parsed compound expression (opaque to callers). */
export type CompoundExpression = { readonly kind: string };

/** Parse a `-S` compound expression; throws FilterSyntaxError pointing at the offending token. */
export function parseCompound(expr: string): CompoundExpression {
  return parseCompoundNode(expr);
}
export { filterLimits, filterSizeProblem } from './limits.js';
export { BoundedCache } from './cache.js';
