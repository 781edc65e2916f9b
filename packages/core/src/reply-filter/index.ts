/**
 * Reply filters: which replies of a call to keep (`cohort rpc --filter-replies`).
 * Parsed with the `-S` grammar and compared with the discovery filters'
 * typed comparison; see docs/reply-filters.md.
 */
export { parseReplyFilter, type DeclaredOutputs } from './parse.js';
export { evaluateReplyFilter, replyFieldValue, type ReplyFields } from './evaluate.js';
export type { ReplyComparison, ReplyField, ReplyFilterNode } from './ast.js';
