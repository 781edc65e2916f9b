/**
 * Finding a fact by name. Facts are typed, nested JSON; a dotted name walks
 * into objects (`os.family`) and arrays (`networking.interfaces.0.name`,
 * numeric segments index arrays). A literal top-level key containing the dots
 * wins over the nested path, so legacy flat facts (`{"os.family": "debian"}`)
 * keep working.
 */
import { BoundedCache } from './cache.js';
import type { FactValue, Facts } from './types.js';

const paths = new BoundedCache<string, readonly string[]>(512);
const indexPattern = /^(0|[1-9]\d*)$/;

/** The value of fact `name`, or undefined when there is no such fact. */
export function lookupFact(facts: Facts, name: string): FactValue | undefined {
  if (Object.hasOwn(facts, name)) return facts[name];
  if (!name.includes('.')) return undefined;
  let segments = paths.get(name);
  if (segments === undefined) segments = paths.set(name, name.split('.'));
  let current: FactValue | undefined = facts;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!indexPattern.test(segment)) return undefined;
      current = current[Number(segment)];
    } else {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
    if (current === undefined) return undefined;
  }
  return current;
}
