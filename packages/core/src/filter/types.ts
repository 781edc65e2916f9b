/**
 * The wire form of a discovery filter, as in MCollective (`Util.empty_filter`):
 * every kind is ANDed, identities are ORed, several compound expressions are ANDed.
 */

/** Fact comparison operators on the wire. Legacy `=>`/`=<` and `=` are normalised by the parser. */
export const factOperators = ['==', '!=', '<', '>', '<=', '>=', '=~'] as const;
export type FactOperator = (typeof factOperators)[number];

/** One `-F fact<op>value` term. For `=~` the value is the regex source without slashes. */
export interface FactFilter {
  fact: string;
  operator: FactOperator;
  value: string;
}

export interface Filter {
  fact: FactFilter[];
  cf_class: string[];
  agent: string[];
  identity: string[];
  /** Compound (`-S`) expressions in MCollective's grammar, as source text; each must hold. */
  compound: string[];
}

/** A JSON value as found in facts. */
export type FactValue = string | number | boolean | null | FactValue[] | { [key: string]: FactValue };
export type Facts = { [key: string]: FactValue };

/** Result of an `fstat('path')` data function, as MCollective's fstat data plugin. */
export interface FstatResult {
  present: boolean;
  type?: 'file' | 'directory' | 'symlink' | 'socket' | 'chardev' | 'blockdev' | 'fifo' | 'unknown';
  size?: number;
  mode?: string;
  md5?: string;
  mtime?: number;
  [field: string]: unknown;
}

/** Everything a node knows about itself that a filter can test. */
export interface NodeView {
  identity: string;
  facts: Facts;
  classes: readonly string[];
  agents: readonly string[];
  /** Synchronous data functions for compound filters: `fstat(path)`, `fact(path)`. Unknown name => undefined. */
  data?: (name: string, arg: string) => Record<string, unknown> | undefined;
}

export function emptyFilter(): Filter {
  return { fact: [], cf_class: [], agent: [], identity: [], compound: [] };
}

export function isEmptyFilter(f: Filter): boolean {
  return f.fact.length + f.cf_class.length + f.agent.length + f.identity.length + f.compound.length === 0;
}
