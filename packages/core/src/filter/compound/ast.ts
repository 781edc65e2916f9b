/**
 * The parsed form of a `-S` compound expression. `and`/`or` are n-ary so a
 * long chain does not nest (evaluation depth only grows with parentheses and
 * `not`). Regexes are compiled at parse time and kept in the tree.
 */
import type { CompareOperator } from '../compare.js';
import type { DataFunctionName } from './functions.js';
import type { FilterRegex } from '../regex.js';

export type CompoundNode = AndNode | OrNode | NotNode | ClassNode | FactNode | FunctionNode;

export interface AndNode {
  readonly kind: 'and';
  readonly operands: readonly CompoundNode[];
}

export interface OrNode {
  readonly kind: 'or';
  readonly operands: readonly CompoundNode[];
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: CompoundNode;
}

/** A bare word (exact class name, case-insensitive) or `/regex/` (class regex). */
export interface ClassNode {
  readonly kind: 'class';
  readonly value: string;
  readonly regex: FilterRegex | null;
}

/** A comparison of the value side of a statement: operator, literal value and, for `=~`/`!~`, the regex. */
export interface Comparison {
  readonly op: CompareOperator;
  readonly value: string;
  readonly regex: FilterRegex | null;
}

/** `fact<op>value`. */
export interface FactNode extends Comparison {
  readonly kind: 'fact';
  readonly fact: string;
}

/** `fstat('path').field<op>value`, `fact('path').value<op>value`; no comparison means "field is true". */
export interface FunctionNode {
  readonly kind: 'function';
  readonly name: DataFunctionName;
  readonly arg: string;
  readonly field: string;
  readonly comparison: Comparison | null;
}
