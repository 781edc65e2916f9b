import {
  CheckKind,
  checkEventTag,
  checkStates,
  maxCheckRecordBytes,
  parseCheckEventSubject,
  readData,
  type CheckEvent,
  type TrustStore,
} from '@cohort/core';

/**
 * Verify one message of the events stream: a signed-data envelope of kind
 * `check-event`, signed by the node the subject names (its key certified by
 * a trusted issuer, or in the trusted keys), for the collective, node and
 * check the subject names, with the shape of a CheckEvent. Returns the event
 * or the reason to drop it (a forged CRITICAL, or OK, is never believed).
 */
export function verifyCheckEvent(collective: string, subject: string, bytes: Uint8Array, trust: TrustStore, now: number): CheckEvent | string {
  const where = parseCheckEventSubject(collective, subject);
  if (where === undefined) return `'${subject.slice(0, 200)}' is not a check event subject of collective ${collective}`;
  // No age limit: a backlog (the service was down) is handled late, not dropped.
  const v = readData<CheckEvent>(bytes, trust, { kind: CheckKind.Event, subject: where.identity, now, check: checkEventProblem, maxFutureMs: 5 * 60_000 }, maxCheckRecordBytes);
  if (typeof v === 'string') return v;
  const e = v.value;
  if (e.identity !== where.identity || e.check !== where.check || e.collective !== collective) {
    return `the event is for ${e.check} of ${e.identity} in ${e.collective}, published on ${subject}`;
  }
  if (e.id !== `${e.identity}:${e.check}:${e.sequence}`) return `event id '${e.id}' is not <identity>:<check>:<sequence>`;
  return e;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isState = (v: unknown): boolean => (checkStates as readonly unknown[]).includes(v);

/** Why a value is not a CheckEvent (undefined when it is one). */
export function checkEventProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the event is not an object';
  const e = value as Record<string, unknown>;
  if (e['protocol'] !== checkEventTag) return `protocol must be ${checkEventTag}`;
  for (const k of ['id', 'collective', 'identity', 'check', 'output']) if (!isString(e[k])) return `${k} must be a string`;
  for (const k of ['sequence', 'time', 'interval']) if (typeof e[k] !== 'number' || !Number.isFinite(e[k])) return `${k} must be a number`;
  if (!isState(e['state'])) return `state must be one of ${checkStates.join(', ')}`;
  if (!isState(e['previous'])) return `previous must be one of ${checkStates.join(', ')}`;
  if (typeof e['hard'] !== 'boolean') return 'hard must be true or false';
  if (!Array.isArray(e['perfdata'])) return 'perfdata must be a list';
  if (!Array.isArray(e['handlers']) || !e['handlers'].every(isString)) return 'handlers must be a list of names';
  const m = e['maintenance'];
  if (m !== undefined && (typeof m !== 'object' || m === null || typeof (m as Record<string, unknown>)['until'] !== 'number')) return 'maintenance must be an object with until (unix ms)';
  return undefined;
}
