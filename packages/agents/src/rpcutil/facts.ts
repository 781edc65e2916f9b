import type { FactValue, Facts } from '@cohort/core';

/**
 * The fact at a dotted path (`os.family`, `networking.interfaces.0.name`) in
 * nested facts; a top-level key that itself contains dots is matched first.
 * Undefined when absent.
 */
export function factAt(facts: Facts, path: string): FactValue | undefined {
  if (Object.hasOwn(facts, path)) return facts[path];
  let node: FactValue | undefined = facts;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(key)) return undefined;
      node = node[Number(key)];
    } else {
      if (!Object.hasOwn(node, key)) return undefined;
      node = node[key];
    }
  }
  return node;
}

/** Split a `get_facts` list: names separated by commas and/or whitespace. */
export function factNames(list: string): string[] {
  return list.split(/[\s,]+/).filter((s) => s !== '');
}
