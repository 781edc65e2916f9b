import { CheckKind, maxCheckRecordBytes, parseCheckEventSubject, parseCheckKey, readData, readDataAsync, type CheckEvent, type CheckStateRecord, type TrustStore, type VerifiedData } from '@cohort/core';
import { checkEventProblem, checkStateProblem } from './shape.js';

/**
 * Verify one entry of the checks bucket: signed data of kind `check-state`
 * by a trusted node key bound to the identity the key names, for the check
 * the key names. Returns the record, or the reason it must be ignored: a bus
 * user (or another node) cannot plant or alter a node's check state, so a
 * forged CRITICAL (or OK) is never believed.
 */
export function verifyCheckEntry(key: string, bytes: Uint8Array, trust: TrustStore, now: number): CheckStateRecord | string {
  const parsed = parseCheckKey(key);
  if (parsed === undefined) return `'${key}' is not a checks key`;
  return stateOfEntry(key, parsed, readData<CheckStateRecord>(bytes, trust, { kind: CheckKind.State, subject: parsed.identity, now, check: checkStateProblem }, maxCheckRecordBytes));
}

/** {@link verifyCheckEntry} with the signature checked in the thread pool (readers verifying many records use every core). */
export async function verifyCheckEntryAsync(key: string, bytes: Uint8Array, trust: TrustStore, now: number): Promise<CheckStateRecord | string> {
  const parsed = parseCheckKey(key);
  if (parsed === undefined) return `'${key}' is not a checks key`;
  return stateOfEntry(key, parsed, await readDataAsync<CheckStateRecord>(bytes, trust, { kind: CheckKind.State, subject: parsed.identity, now, check: checkStateProblem }, maxCheckRecordBytes));
}

function stateOfEntry(key: string, parsed: { check: string; identity: string }, v: VerifiedData<CheckStateRecord> | string): CheckStateRecord | string {
  if (typeof v === 'string') return v;
  if (v.value.check !== parsed.check || v.value.identity !== parsed.identity) return `the record is for ${v.value.check} of ${v.value.identity}, stored under ${key}`;
  return v.value;
}

/**
 * Verify one check event from the events stream: signed data of kind
 * `check-event` by a trusted node key bound to the identity in the subject,
 * for the collective, node and check the subject names.
 */
export function verifyCheckEvent(collective: string, subject: string, bytes: Uint8Array, trust: TrustStore, now: number): CheckEvent | string {
  const parsed = parseCheckEventSubject(collective, subject);
  if (parsed === undefined) return `'${subject}' is not a check event subject of collective ${collective}`;
  // Events are replayed from the stream: no age limit, only the signature's future bound.
  const v = readData<CheckEvent>(bytes, trust, { kind: CheckKind.Event, subject: parsed.identity, now, check: checkEventProblem }, maxCheckRecordBytes);
  if (typeof v === 'string') return v;
  const e = v.value;
  if (e.identity !== parsed.identity || e.check !== parsed.check || e.collective !== collective) return `the event is for ${e.check} of ${e.identity} in ${e.collective}, published on ${subject}`;
  return e;
}
