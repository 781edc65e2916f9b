/**
 * Regular expressions in filters: always case-insensitive and unanchored, and
 * matched in linear time. Filters arrive from the network and are evaluated
 * before authorization, so a backtracking engine would let anyone who may
 * publish stall every node with a pattern like `^(a+)+$`. They are compiled
 * with RE2JS (RE2's syntax and guarantees, as Go's regexp in Choria), loaded
 * on first use so that commands without regexes do not pay for it. RE2 knows
 * Ruby's and Go's `\A` and `\z`; Ruby's `\Z` (end, before a final newline) is
 * translated.
 */
import { createRequire } from 'node:module';
import type { RE2JS as Re2Class } from 're2js';
import { BoundedCache } from './cache.js';

/** A compiled filter regex. */
export interface FilterRegex {
  /** Does the pattern occur in `text` (unanchored, case-insensitive)? */
  test(text: string): boolean;
  readonly source: string;
}

/** Longest regex source accepted; longer ones never match (bounds the cost of a hostile filter). */
export const maxRegexLength = 4096;

// Size-aware: at most 256 Ki source characters of compiled regexes are kept.
const compiled = new BoundedCache<string, FilterRegex | null>(512, { maxWeight: 256 * 1024, weigh: (source) => source.length });

let re2: typeof Re2Class | undefined;
function loadRe2(): typeof Re2Class {
  re2 ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof Re2Class }).RE2JS;
  return re2;
}

/** True for a `/.../` value (at least the two slashes): the class/identity/agent/-S regex form. */
export function isSlashRegex(value: string): boolean {
  return value.length >= 2 && value.charCodeAt(0) === 47 && value.charCodeAt(value.length - 1) === 47;
}

/** Rewrite Ruby's `\Z` -> `\n?\z` outside character classes; everything else is kept. */
export function translateAnchors(source: string): string {
  if (!source.includes('\\Z')) return source;
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1];
      i++;
      out += !inClass && next === 'Z' ? '\\n?\\z' : `\\${next}`;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}

/**
 * Compile a regex source (without slashes). Returns the error message instead
 * of throwing, so parsers can turn it into a FilterSyntaxError with a position.
 */
export function compileRegex(source: string): FilterRegex | string {
  if (source.length === 0) return 'empty regular expression';
  if (source.length > maxRegexLength) return `regular expression longer than ${maxRegexLength} characters`;
  const RE2JS = loadRe2();
  try {
    const re = RE2JS.compile(translateAnchors(source), RE2JS.CASE_INSENSITIVE);
    return { source, test: (text) => re.matcher(text).find() };
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).replace(/^error parsing regexp: /, '');
  }
}

/** Cached compile for the node side: an invalid regex yields null and simply never matches. */
export function cachedRegex(source: string): FilterRegex | null {
  const hit = compiled.get(source);
  if (hit !== undefined) return hit;
  const re = compileRegex(source);
  return compiled.set(source, typeof re === 'string' ? null : re);
}
