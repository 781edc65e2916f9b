import { FilterSyntaxError, parseReplyFilter, type DdlAction, type ReplyFilterNode } from '@cohort/core';
import { str, type Args } from '../args.js';

/** A parsed `--filter-replies`: its source text (for messages) and tree. */
export interface ReplyFilterArg {
  source: string;
  node: ReplyFilterNode;
}

/**
 * Parse `--filter-replies` against the action's DDL outputs, before anything
 * is sent. A bad expression is a FilterSyntaxError naming the flag and
 * pointing at the offending characters (exit 2).
 */
export function replyFilterArg(argv: Args, action: DdlAction | undefined): ReplyFilterArg | undefined {
  const source = str(argv, 'filter-replies');
  if (source === undefined) return undefined;
  try {
    return { source, node: parseReplyFilter(source, action?.output) };
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new FilterSyntaxError(`--filter-replies: ${err.message}`, err.input, err.position, err.length);
    throw err;
  }
}
