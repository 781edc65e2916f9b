/**
 * The parsed form of a reply filter (`cohort rpc --filter-replies EXPR`):
 * and/or/not over comparisons of one reply field with a literal.
 */
import type { Comparison } from '../filter/compound/ast.js';
import type { BooleanTree } from '../filter/compound/parser.js';

/** What a comparison looks at: the reply's status code, sender, status message, or an output (`data.<path>`). */
export type ReplyField =
  | { readonly kind: 'statuscode' }
  | { readonly kind: 'sender' }
  | { readonly kind: 'statusmsg' }
  /** `data.exitcode` → path `exitcode`; nested `data.times.user` → `times.user` (dots walk into objects and arrays). */
  | { readonly kind: 'data'; readonly path: string };

/** `field <op> value`; `presence` for `== null` / `!= null` (is the field missing?). */
export interface ReplyComparison extends Comparison {
  readonly kind: 'compare';
  readonly field: ReplyField;
  /** The field as typed, for messages. */
  readonly name: string;
  readonly presence: boolean;
}

export type ReplyFilterNode = BooleanTree<ReplyComparison>;
