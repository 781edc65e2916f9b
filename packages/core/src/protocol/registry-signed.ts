import { validateLifecycle, validateRegistration } from '../generated/validators.js';
import type { Signer } from '../security/envelope.js';
import { isSignedData, openData, sealDataBytes, verifyData, verifyDataAsync, type DataExpectation, type OpenedData, type VerifiedData } from '../security/signed-data.js';
import type { TrustStore } from '../security/trust.js';
import { defaultMaxMessageBytes, describeSchemaErrors } from './codec.js';
import { decodeLifecycle, decodeRegistration } from './registration-codec.js';
import type { LifecycleMessage, RegistrationMessage } from './registration.js';

/**
 * Registry records and lifecycle events as signed data (see
 * security/signed-data.ts): a node seals its record with its node key, kind
 * `registration`, subject = its identity; a clean shutdown replaces the
 * record with a signed `deregistration` (a delete the reader can trust:
 * an unsigned delete of a node's key is tampering). Lifecycle events are
 * kind `lifecycle`. Readers with a node trust store accept only data that
 * verifies for the identity it is stored or published under.
 */

/** The signed-data kinds of the registry. */
export const RegistryDataKind = {
  Registration: 'registration',
  Deregistration: 'deregistration',
  Lifecycle: 'lifecycle',
} as const;

/** A clean shutdown: the node's record is replaced by this (signed), not deleted. */
export interface DeregistrationValue {
  identity: string;
  /** When the daemon that shut down had started (unix ms). */
  started_at: number;
}

/** What one registry entry means to a reader. */
export type RegistryEntryReading =
  /** A record; `verified` false when the reader has no trust to check it with. */
  | { readonly kind: 'record'; readonly record: RegistrationMessage; readonly verified: boolean; readonly signer: string | undefined }
  /** The node shut down cleanly (a signed deregistration). */
  | { readonly kind: 'gone' }
  /** Not usable: forged, unsigned where signatures are required, malformed... */
  | { readonly kind: 'ignored'; readonly reason: string };

/** The node's record, sealed for its registry bucket. */
export function sealRegistration(record: RegistrationMessage, signer: Signer): Uint8Array {
  return sealDataBytes(RegistryDataKind.Registration, record, signer, record.time);
}

/** The signed tombstone a node leaves in its bucket on a clean shutdown. */
export function sealDeregistration(value: DeregistrationValue, signer: Signer, time: number): Uint8Array {
  return sealDataBytes(RegistryDataKind.Deregistration, value, signer, time);
}

/** A lifecycle event, sealed. */
export function sealLifecycle(event: LifecycleMessage, signer: Signer): Uint8Array {
  return sealDataBytes(RegistryDataKind.Lifecycle, event, signer, event.time);
}

const checkRegistration = (identity: string) => (v: unknown) =>
  !validateRegistration(v)
    ? `invalid registration record: ${describeSchemaErrors(validateRegistration.errors)}`
    : (v as RegistrationMessage).identity !== identity
      ? `record of ${(v as RegistrationMessage).identity} stored as ${identity}`
      : undefined;

const checkDeregistration = (identity: string) => (v: unknown) => {
  const o = v as Partial<DeregistrationValue> | null;
  if (typeof o !== 'object' || o === null || o.identity !== identity || typeof o.started_at !== 'number') return `invalid deregistration for ${identity}`;
  return undefined;
};

function opened(bytes: Uint8Array): OpenedData | string {
  try {
    return openData(bytes, defaultMaxMessageBytes);
  } catch (err) {
    return (err as Error).message;
  }
}

/** A signed entry opened and checked for shape, its signature still to verify. */
interface EntryToVerify {
  readonly open: OpenedData;
  readonly kind: typeof RegistryDataKind.Registration | typeof RegistryDataKind.Deregistration;
  readonly expect: DataExpectation;
}

/**
 * Everything {@link readRegistryEntry} does before the signature check: the
 * reading itself when no signature needs checking, else what to verify.
 */
function beginRegistryEntry(bytes: Uint8Array, identity: string, trust: TrustStore | undefined, now: number, maxAgeMs?: number): RegistryEntryReading | EntryToVerify {
  if (!isSignedData(bytes)) {
    if (trust) return { kind: 'ignored', reason: 'unsigned record (the node has no security.node_key)' };
    try {
      const record = decodeRegistration(bytes);
      if (record.identity !== identity) return { kind: 'ignored', reason: `record of ${record.identity} stored as ${identity}` };
      return { kind: 'record', record, verified: false, signer: undefined };
    } catch (err) {
      return { kind: 'ignored', reason: (err as Error).message };
    }
  }
  const open = opened(bytes);
  if (typeof open === 'string') return { kind: 'ignored', reason: open };
  const kind = open.body.kind === RegistryDataKind.Deregistration ? RegistryDataKind.Deregistration : RegistryDataKind.Registration;
  const check = kind === RegistryDataKind.Registration ? checkRegistration(identity) : checkDeregistration(identity);
  if (!trust) {
    if (open.body.kind !== kind || open.body.subject !== identity) return { kind: 'ignored', reason: `signed ${open.body.kind} data for ${open.body.subject} stored as ${identity}` };
    const problem = check(open.body.value);
    if (problem) return { kind: 'ignored', reason: problem };
    return kind === RegistryDataKind.Deregistration ? { kind: 'gone' } : { kind: 'record', record: open.body.value as RegistrationMessage, verified: false, signer: undefined };
  }
  return { open, kind, expect: { kind, subject: identity, now, ...(maxAgeMs ? { maxAgeMs } : {}), check } };
}

function verifiedReading(kind: EntryToVerify['kind'], verified: VerifiedData<RegistrationMessage> | string): RegistryEntryReading {
  if (typeof verified === 'string') return { kind: 'ignored', reason: verified };
  return kind === RegistryDataKind.Deregistration ? { kind: 'gone' } : { kind: 'record', record: verified.value, verified: true, signer: verified.signer.key };
}

/**
 * Read the registry entry stored under `identity`. With `trust`, only a
 * record or deregistration signed by that node's trusted key counts; one
 * older than `maxAgeMs` (the bucket's max age, when known) is stale and
 * ignored. Without trust, plain and signed records are accepted unverified
 * (for listing; discovery will not rely on them).
 */
export function readRegistryEntry(bytes: Uint8Array, identity: string, trust: TrustStore | undefined, now: number, maxAgeMs?: number): RegistryEntryReading {
  const begun = beginRegistryEntry(bytes, identity, trust, now, maxAgeMs);
  if (!('open' in begun) || !trust) return begun as RegistryEntryReading;
  return verifiedReading(begun.kind, verifyData<RegistrationMessage>(begun.open, trust, begun.expect));
}

/**
 * {@link readRegistryEntry} with the signatures (the record's, and its node
 * certificate's the first time that certificate is seen) checked in libuv's
 * thread pool: the same checks in the same order, the same answers; for a
 * reader verifying a whole bucket at once (a `cohort` process reading the
 * registry), so the checks of many records run beside the reading of the
 * next ones. Never rejects.
 */
export async function readRegistryEntryAsync(bytes: Uint8Array, identity: string, trust: TrustStore | undefined, now: number, maxAgeMs?: number): Promise<RegistryEntryReading> {
  const begun = beginRegistryEntry(bytes, identity, trust, now, maxAgeMs);
  if (!('open' in begun) || !trust) return begun as RegistryEntryReading;
  return verifiedReading(begun.kind, await verifyDataAsync<RegistrationMessage>(begun.open, trust, begun.expect));
}

/** What a lifecycle message means to a reader. */
export type LifecycleReading = { readonly event: LifecycleMessage; readonly verified: boolean } | { readonly ignored: string };

/**
 * Read a lifecycle event published by `identity` (the last token of its
 * subject). With `trust`, only a signed event from that node's trusted key
 * counts; without, plain and signed events are accepted unverified.
 */
export function readLifecycle(bytes: Uint8Array, identity: string | undefined, trust: TrustStore | undefined, now: number): LifecycleReading {
  let signedBy: string | undefined;
  const check = (v: unknown) => {
    if (!validateLifecycle(v)) return `invalid lifecycle event: ${describeSchemaErrors(validateLifecycle.errors)}`;
    const claimed = (v as LifecycleMessage).identity;
    if (identity !== undefined && claimed !== identity) return `event of ${claimed} published as ${identity}`;
    if (signedBy !== undefined && claimed !== signedBy) return `event of ${claimed} signed for ${signedBy}`;
    return undefined;
  };
  if (!isSignedData(bytes)) {
    if (trust) return { ignored: 'unsigned lifecycle event' };
    try {
      const event = decodeLifecycle(bytes);
      const problem = check(event);
      return problem ? { ignored: problem } : { event, verified: false };
    } catch (err) {
      return { ignored: (err as Error).message };
    }
  }
  const open = opened(bytes);
  if (typeof open === 'string') return { ignored: open };
  signedBy = open.body.subject;
  if (!trust) {
    const problem = open.body.kind !== RegistryDataKind.Lifecycle ? `signed ${open.body.kind} data is not a lifecycle event` : check(open.body.value);
    return problem ? { ignored: problem } : { event: open.body.value as LifecycleMessage, verified: false };
  }
  // A lifecycle event is news: one older than five minutes is a replay.
  const verified = verifyData<LifecycleMessage>(open, trust, { kind: RegistryDataKind.Lifecycle, subject: identity, now, maxAgeMs: 5 * 60_000, check });
  return typeof verified === 'string' ? { ignored: verified } : { event: verified.value, verified: true };
}
