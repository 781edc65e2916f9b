/**
 * The filter builder: fact conditions and classes composed into the filter
 * language the CLI's -W takes (space-separated fact expressions and
 * classes, ANDed), which /api/count and /api/run accept as `filter`.
 */

export const factOperators = ['==', '!=', '=~', '>=', '<=', '>', '<'] as const;
export type FactOperator = (typeof factOperators)[number];

export interface FactCondition {
  fact: string;
  op: FactOperator;
  value: string;
}

export interface FilterParts {
  facts: FactCondition[];
  classes: string[];
}

function quoteFree(s: string): boolean {
  return s !== '' && !/\s/.test(s);
}

/** The -W filter text; incomplete or space-containing parts are skipped (the filter language splits on spaces). */
export function buildFilter(parts: FilterParts): string {
  const tokens: string[] = [];
  for (const c of parts.facts) {
    const fact = c.fact.trim();
    const value = c.value.trim();
    if (!quoteFree(fact) || !quoteFree(value)) continue;
    tokens.push(c.op === '=~' ? `${fact}=/${value}/` : `${fact}${c.op}${value}`);
  }
  for (const cls of parts.classes) {
    const c = cls.trim();
    if (quoteFree(c)) tokens.push(c);
  }
  return tokens.join(' ');
}
