/**
 * The filter language (STUB: signatures fixed, implementation owned by the filter work).
 * See docs/filters.md for the semantics.
 */
import { FilterSyntaxError } from '../errors.js';
import type { FactFilter, Filter, NodeView } from './types.js';

/** Parsed compound expression (opaque to callers). */
export type CompoundExpression = { readonly kind: string };

/** Parse one `-F` fact expression (`os.family=debian`, `cpus>=4`, `role=/web/`, legacy `=>`/`=<`). */
export function parseFactExpression(expr: string): FactFilter {
  throw new FilterSyntaxError('not implemented', expr, 0);
}

/** Classify one `-W` token: a fact expression if it parses as one, else a class. */
export function parseWithToken(token: string): { kind: 'fact'; fact: FactFilter } | { kind: 'class'; value: string } {
  return { kind: 'class', value: token };
}

/** Parse a `-S` compound expression; throws FilterSyntaxError pointing at the offending token. */
export function parseCompound(expr: string): CompoundExpression {
  throw new FilterSyntaxError('not implemented', expr, 0);
}

/** CLI filter flags, each repeatable, as typed by the operator. */
export interface FilterSpec {
  fact?: readonly string[];
  cls?: readonly string[];
  identity?: readonly string[];
  agent?: readonly string[];
  /** `-W` values; each is split on whitespace into tokens. */
  with?: readonly string[];
  select?: readonly string[];
}

/** Build a wire Filter from CLI flags, validating every part (throws FilterSyntaxError). */
export function buildFilter(spec: FilterSpec): Filter {
  void spec;
  throw new Error('not implemented');
}

/** Does this node match the filter? Never throws: a compound that fails to parse or evaluate does not match. */
export function matchFilter(filter: Filter, node: NodeView): boolean {
  void filter;
  void node;
  return false;
}

/** When the filter is nothing but plain (non-regex) identities, return them: discovery can be skipped. */
export function plainIdentities(filter: Filter): string[] | undefined {
  void filter;
  return undefined;
}
