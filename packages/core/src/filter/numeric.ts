/**
 * Numeric helpers for fact comparison. Strings that look like decimals are
 * compared exactly (digit by digit), so long numeric strings such as serial
 * numbers never collide through floating-point rounding.
 */

const numericPattern = /^-?\d+(\.\d+)?$/;

/** Does this string look like a plain decimal number (`42`, `-3`, `1.5`)? */
export function looksNumeric(value: string): boolean {
  return numericPattern.test(value);
}

/** Three-way compare of two numbers: -1, 0 or 1. */
export function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Three-way compare of two strings that both satisfy looksNumeric(), without converting to floats. */
export function compareDecimalStrings(a: string, b: string): number {
  const negA = a.charCodeAt(0) === 45;
  const negB = b.charCodeAt(0) === 45;
  const magnitude = compareMagnitude(a, negA ? 1 : 0, b, negB ? 1 : 0);
  if (magnitude === 0 && isZero(a)) return 0; // -0 == 0
  if (negA !== negB) return negA ? -1 : 1;
  return negA ? -magnitude : magnitude;
}

function isZero(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 49 && c <= 57) return false;
  }
  return true;
}

function compareMagnitude(a: string, fromA: number, b: string, fromB: number): number {
  const dotA = a.indexOf('.');
  const dotB = b.indexOf('.');
  const endA = dotA === -1 ? a.length : dotA;
  const endB = dotB === -1 ? b.length : dotB;
  let startA = fromA;
  let startB = fromB;
  while (startA < endA - 1 && a.charCodeAt(startA) === 48) startA++;
  while (startB < endB - 1 && b.charCodeAt(startB) === 48) startB++;
  const lenA = endA - startA;
  const lenB = endB - startB;
  if (lenA !== lenB) return lenA < lenB ? -1 : 1;
  for (let i = 0; i < lenA; i++) {
    const d = a.charCodeAt(startA + i) - b.charCodeAt(startB + i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  // Integer parts equal: compare fractions digit by digit, a missing digit counting as 0.
  const fracA = dotA === -1 ? '' : a.slice(dotA + 1);
  const fracB = dotB === -1 ? '' : b.slice(dotB + 1);
  const n = Math.max(fracA.length, fracB.length);
  for (let i = 0; i < n; i++) {
    const da = i < fracA.length ? fracA.charCodeAt(i) : 48;
    const db = i < fracB.length ? fracB.charCodeAt(i) : 48;
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}
