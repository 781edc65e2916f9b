/**
 * Class, identity and agent terms: an exact name (case-insensitive) or a
 * `/regex/` (case-insensitive, unanchored).
 */
import { equalsIgnoreCase } from './compare.js';
import { cachedRegex, isSlashRegex } from './regex.js';

/** Does `name` satisfy `pattern` (exact or `/regex/`)? An invalid regex never matches. */
export function matchesName(pattern: string, name: string): boolean {
  if (!isSlashRegex(pattern)) return equalsIgnoreCase(pattern, name);
  const re = cachedRegex(pattern.slice(1, -1));
  return re !== null && re.test(name);
}

/** Does any of `names` satisfy `pattern`? */
export function matchesAnyName(pattern: string, names: readonly string[]): boolean {
  if (!isSlashRegex(pattern)) {
    for (const name of names) if (equalsIgnoreCase(pattern, name)) return true;
    return false;
  }
  const re = cachedRegex(pattern.slice(1, -1));
  if (re === null) return false;
  for (const name of names) if (re.test(name)) return true;
  return false;
}
