/**
 * Evaluating a reply filter against one reply. The rules (docs/reply-filters.md):
 * - a missing output (absent, or null) makes every comparison on it false,
 *   `!=` included; only `data.x == null` is true for it (and `!= null` false);
 * - types must agree, or the comparison is false whatever the operator:
 *   a numeric literal compares only with numbers (JSON numbers, or strings
 *   that look like one: `"12.5"`), a non-numeric literal only with
 *   non-numeric strings, `true`/`false` with booleans (== and != only);
 *   objects compare with nothing (name a field inside: `data.times.user`);
 * - arrays: `!=` holds when no element equals the value, other operators
 *   when some element satisfies them;
 * - regexes (`=~`, `!= /re/`) test the text of strings, numbers and booleans;
 * - as in discovery filters, strings compare case-insensitively and regexes
 *   are case-insensitive, unanchored RE2 (linear time).
 * Pure: no I/O, no NATS.
 */
import { compareScalar, type CompareOperator } from '../filter/compare.js';
import { lookupFact } from '../filter/fact-lookup.js';
import { looksNumeric } from '../filter/numeric.js';
import type { Facts } from '../filter/types.js';
import type { ReplyComparison, ReplyFilterNode } from './ast.js';

/** The parts of a reply a filter can see. */
export interface ReplyFields {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Readonly<Record<string, unknown>>;
}

/** Does the reply satisfy the filter? */
export function evaluateReplyFilter(node: ReplyFilterNode, reply: ReplyFields): boolean {
  switch (node.kind) {
    case 'and':
      for (const operand of node.operands) if (!evaluateReplyFilter(operand, reply)) return false;
      return true;
    case 'or':
      for (const operand of node.operands) if (evaluateReplyFilter(operand, reply)) return true;
      return false;
    case 'not':
      return !evaluateReplyFilter(node.operand, reply);
    case 'compare':
      return compareField(node, reply);
  }
}

/** The value a comparison looks at; undefined when the reply has no such field. */
export function replyFieldValue(node: ReplyComparison, reply: ReplyFields): unknown {
  switch (node.field.kind) {
    case 'statuscode':
      return reply.statuscode;
    case 'sender':
      return reply.sender;
    case 'statusmsg':
      return reply.statusmsg;
    case 'data':
      return lookupFact(reply.data as Facts, node.field.path);
  }
}

function compareField(node: ReplyComparison, reply: ReplyFields): boolean {
  const actual = replyFieldValue(node, reply);
  const missing = actual === undefined || actual === null;
  if (node.presence) return node.op === '==' ? missing : !missing;
  if (missing) return false;
  if (Array.isArray(actual)) {
    if (node.op === '!=' || node.op === '!~') {
      const positive: CompareOperator = node.op === '!=' ? '==' : '=~';
      return !actual.some((element) => typedCompare(element, positive, node));
    }
    return actual.some((element) => typedCompare(element, node.op, node));
  }
  return typedCompare(actual, node.op, node);
}

/** One scalar against the literal, false when their types do not agree. */
function typedCompare(actual: unknown, op: CompareOperator, c: ReplyComparison): boolean {
  if (op === '=~' || op === '!~') return compareScalar(actual, op, c.value, c.regex);
  const numericLiteral = looksNumeric(c.value);
  switch (typeof actual) {
    case 'number':
      return numericLiteral && compareScalar(actual, op, c.value, null);
    case 'string':
      return looksNumeric(actual) === numericLiteral && compareScalar(actual, op, c.value, null);
    case 'boolean':
      return /^(true|false)$/i.test(c.value) && compareScalar(actual, op, c.value, null);
    default:
      return false;
  }
}
