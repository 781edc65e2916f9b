import { maxMineValueBytes, MineKind, mineValueProblem, parseMineKey, readData, type MineValue, type TrustStore } from '@cohort/core';

/**
 * Verify one entry of the mine bucket: signed by a trusted node key bound to
 * the identity the key names, of kind `mine`, for the function the key
 * names. Returns the value, or the reason it must be ignored (a bus user
 * cannot plant or alter mined data).
 */
export function verifyMineEntry(key: string, bytes: Uint8Array, trust: TrustStore, now: number): MineValue | string {
  const parsed = parseMineKey(key);
  if (parsed === undefined) return `'${key}' is not a mine key`;
  const v = readData<MineValue>(bytes, trust, { kind: MineKind.Value, subject: parsed.identity, now, check: mineValueProblem }, maxMineValueBytes);
  if (typeof v === 'string') return v;
  if (v.value.function !== parsed.function || v.value.identity !== parsed.identity) return `the value is for ${v.value.function} of ${v.value.identity}, stored under ${key}`;
  return v.value;
}
