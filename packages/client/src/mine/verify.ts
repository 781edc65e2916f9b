import { maxMineValueBytes, MineKind, mineValueProblem, parseMineKey, readData, readDataAsync, type MineValue, type TrustStore, type VerifiedData } from '@cohort/core';

/**
 * Verify one entry of the mine bucket: signed by a trusted node key bound to
 * the identity the key names, of kind `mine`, for the function the key
 * names. Returns the value, or the reason it must be ignored (a bus user
 * cannot plant or alter mined data).
 */
export function verifyMineEntry(key: string, bytes: Uint8Array, trust: TrustStore, now: number): MineValue | string {
  const parsed = parseMineKey(key);
  if (parsed === undefined) return `'${key}' is not a mine key`;
  return valueOfEntry(key, parsed, readData<MineValue>(bytes, trust, { kind: MineKind.Value, subject: parsed.identity, now, check: mineValueProblem }, maxMineValueBytes));
}

/**
 * {@link verifyMineEntry} with the signatures (the value's, and its node
 * certificate's the first time that certificate is seen) checked in the
 * thread pool: the same checks, the same answers; for readers verifying a
 * whole fleet's values at once (`mine get`), as the checks reader does.
 */
export async function verifyMineEntryAsync(key: string, bytes: Uint8Array, trust: TrustStore, now: number): Promise<MineValue | string> {
  const parsed = parseMineKey(key);
  if (parsed === undefined) return `'${key}' is not a mine key`;
  return valueOfEntry(key, parsed, await readDataAsync<MineValue>(bytes, trust, { kind: MineKind.Value, subject: parsed.identity, now, check: mineValueProblem }, maxMineValueBytes));
}

function valueOfEntry(key: string, parsed: { function: string; identity: string }, v: VerifiedData<MineValue> | string): MineValue | string {
  if (typeof v === 'string') return v;
  if (v.value.function !== parsed.function || v.value.identity !== parsed.identity) return `the value is for ${v.value.function} of ${v.value.identity}, stored under ${key}`;
  return v.value;
}
