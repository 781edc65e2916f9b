/**
 * Evaluating a parsed compound expression against a node. Class statements
 * test the node's classes, fact statements use the same comparison rules as
 * `-F`, data functions call NodeView.data (with a built-in fallback for
 * `fact()` when the node supplies no data functions).
 */
import { compareValue, equalsIgnoreCase } from '../compare.js';
import { lookupFact } from '../fact-lookup.js';
import type { NodeView } from '../types.js';
import type { ClassNode, CompoundNode, FunctionNode } from './ast.js';

/** Does the node satisfy the expression? May throw only if a data function throws; callers guard. */
export function evaluateCompound(node: CompoundNode, view: NodeView): boolean {
  switch (node.kind) {
    case 'and':
      for (const operand of node.operands) if (!evaluateCompound(operand, view)) return false;
      return true;
    case 'or':
      for (const operand of node.operands) if (evaluateCompound(operand, view)) return true;
      return false;
    case 'not':
      return !evaluateCompound(node.operand, view);
    case 'class':
      return matchesClass(node, view.classes);
    case 'fact': {
      const actual = lookupFact(view.facts, node.fact);
      return actual !== undefined && compareValue(actual, node.op, node.value, node.regex);
    }
    case 'function':
      return evaluateFunction(node, view);
  }
}

function matchesClass(node: ClassNode, classes: readonly string[]): boolean {
  if (node.regex === null) {
    for (const cls of classes) if (equalsIgnoreCase(node.value, cls)) return true;
    return false;
  }
  for (const cls of classes) if (node.regex.test(cls)) return true;
  return false;
}

function evaluateFunction(node: FunctionNode, view: NodeView): boolean {
  const result = view.data !== undefined ? view.data(node.name, node.arg) : builtinData(node, view);
  if (result === undefined || !Object.hasOwn(result, node.field)) return false;
  const actual = result[node.field];
  const c = node.comparison;
  if (c === null) return actual === true;
  // MCollective's function-result rules: a number needs a numeric right side and no regex,
  // a boolean only compares with true/false; strings and arrays follow the fact rules.
  if (typeof actual === 'number' && (c.regex !== null || !/^-?\d+(\.\d+)?$/.test(c.value))) return false;
  if (typeof actual === 'boolean' && (c.regex !== null || !/^(true|false)$/i.test(c.value))) return false;
  return compareValue(actual, c.op, c.value, c.regex);
}

/** `fact()` straight from NodeView.facts when the node has no data functions. */
function builtinData(node: FunctionNode, view: NodeView): Record<string, unknown> | undefined {
  if (node.name !== 'fact') return undefined;
  const value = lookupFact(view.facts, node.arg);
  return value === undefined ? { exists: false } : { exists: true, value };
}
