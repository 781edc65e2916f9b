import { UsageError } from '@cohort/core';

/**
 * `key=value` command-line inputs → a raw string map for DDL coercion. The
 * value is everything after the first `=` (it may itself contain `=`).
 */
export function parseKeyValues(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!/^[A-Za-z0-9_]+$/.test(key)) {
      throw new UsageError(`'${item}' is not an input: give inputs as key=value, e.g. fact=os.family (see: cohort plugin doc AGENT)`);
    }
    out[key] = item.slice(eq + 1);
  }
  return out;
}
