import { createDataFunctions, matchFilter, type Facts, type Filter, type NodeView } from '@cohort/core';
import type { RegisteredNode } from './registry-record.js';

/** The outcome of evaluating a filter against the registry. */
export interface RegistryMatch {
  /** Matching identities, sorted. */
  readonly identities: string[];
  /**
   * The first node-side data function (e.g. `fstat`) the filter needed for
   * some node: the registry cannot answer it, the caller must broadcast.
   * Undefined when the answer is exact.
   */
  readonly nodeData: string | undefined;
}

/**
 * Data functions the caller can answer for any node from what it read
 * itself (`cohort checks` answers `check('load')` from the check states):
 * name → (identity, argument) → the function's value, or undefined.
 */
export type DataAnswers = Readonly<Record<string, (identity: string, arg: string) => Record<string, unknown> | undefined>>;

/**
 * Evaluate `filter` against every registered node with the node's own
 * matcher (matchFilter from @cohort/core), so the result equals what
 * broadcast discovery would return from the same nodes. `fact()` in compound
 * expressions reads the registered facts; any other data function (fstat)
 * needs the node and is reported in `nodeData`, unless `answers` answers it.
 */
export function matchRegistry(nodes: readonly RegisteredNode[], filter: Filter, answers: DataAnswers = {}): RegistryMatch {
  let current: Facts = {};
  let identity = '';
  const facts = createDataFunctions(() => current);
  let nodeData: string | undefined;
  const data: NonNullable<NodeView['data']> = (name, arg) => {
    if (name === 'fact') return facts(name, arg);
    const answer = answers[name];
    if (answer !== undefined) return answer(identity, arg);
    nodeData ??= name;
    return undefined;
  };
  const identities: string[] = [];
  // One view, refilled per node: matchFilter keeps nothing of it.
  const view: NodeView = { identity: '', facts: current, classes: [], agents: [], data };
  for (const node of nodes) {
    current = node.view.facts;
    identity = node.identity;
    view.identity = node.view.identity;
    view.facts = node.view.facts;
    view.classes = node.view.classes;
    view.agents = node.view.agents;
    if (matchFilter(filter, view)) identities.push(node.identity);
  }
  identities.sort();
  return { identities, nodeData };
}
