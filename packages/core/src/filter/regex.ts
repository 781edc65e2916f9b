/**
 * Regular expressions in filters: always case-insensitive and unanchored.
 * Ruby/Go anchors `\A`, `\z` and `\Z` are translated to JavaScript so that
 * expressions written for MCollective or Choria keep working.
 */
import { BoundedCache } from './cache.js';

/** Longest regex source accepted; longer ones never match (bounds the cost of a hostile filter). */
export const maxRegexLength = 4096;

const compiled = new BoundedCache<string, RegExp | null>(512);

/** True for a `/.../` value (at least the two slashes): the class/identity/agent/-S regex form. */
export function isSlashRegex(value: string): boolean {
  return value.length >= 2 && value.charCodeAt(0) === 47 && value.charCodeAt(value.length - 1) === 47;
}

/** Rewrite `\A` -> `^`, `\z` -> `$`, `\Z` -> `(?=\n?$)` outside character classes; everything else is kept. */
export function translateAnchors(source: string): string {
  if (!source.includes('\\')) return source;
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1];
      i++;
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && next === 'z') out += '$';
      else if (!inClass && next === 'Z') out += '(?=\\n?$)';
      else out += `\\${next}`;
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
export function compileRegex(source: string): RegExp | string {
  if (source.length === 0) return 'empty regular expression';
  if (source.length > maxRegexLength) return `regular expression longer than ${maxRegexLength} characters`;
  try {
    return new RegExp(translateAnchors(source), 'i');
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Cached compile for the node side: an invalid regex yields null and simply never matches. */
export function cachedRegex(source: string): RegExp | null {
  const hit = compiled.get(source);
  if (hit !== undefined) return hit;
  const re = compileRegex(source);
  return compiled.set(source, typeof re === 'string' ? null : re);
}
