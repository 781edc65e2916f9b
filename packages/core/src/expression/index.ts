/**
 * The expression language of checks (`critical_if`, `warning_if`, output
 * templates) and detectors (`apply_if`): a small, safe language of its own
 * (docs/metrics.md). Parsed into a tree and walked; never JavaScript `eval`
 * or `Function`. Host functions (grep, fact, metric) are passed in the scope.
 */
export { ExpressionError } from './error.js';
export { tokenize, maxExpressionLength } from './lexer.js';
export { parseExpression, maxExpressionDepth, maxExpressionNodes, type Expression, type Node as ExpressionNode } from './parser.js';
export { evaluate, truthy, builtinFunctionNames, maxStringLength, type Value, type Scope, type HostFunction } from './evaluate.js';
export { parseTemplate, renderTemplate, formatValue, type Template } from './template.js';
/** RE2 regexes (linear time, case-insensitive) as grep() and =~ use them. */
export { compileRegex, type FilterRegex } from '../filter/regex.js';
