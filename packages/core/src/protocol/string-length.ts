/**
 * String length in Unicode code points, as JSON Schema's minLength and
 * maxLength count it: the precompiled validators (scripts/compile-validators.mjs)
 * call this instead of ajv's runtime ucs2length, with the same results.
 * ajv's loops over every character in JavaScript; a cohortd runs it on every
 * field of every request. Without surrogates (nearly always) code points are
 * UTF-16 code units, and one native regular expression test says so.
 */
const surrogate = /[\uD800-\uDFFF]/;

export function ucs2length(str: string): number {
  if (!surrogate.test(str)) return str.length;
  // A high surrogate followed by a low one is one code point; a lone surrogate counts as one.
  const len = str.length;
  let length = 0;
  let pos = 0;
  while (pos < len) {
    length++;
    const value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len && (str.charCodeAt(pos) & 0xfc00) === 0xdc00) pos++;
  }
  return length;
}
