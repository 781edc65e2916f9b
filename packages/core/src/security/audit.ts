import { createHash } from 'node:crypto';
import type { RequestMessage } from '../protocol/types.js';

/** What happened to an audited request. */
export const AuditOutcome = {
  /** Passed every check; the action is about to run. */
  Allowed: 'allowed',
  /** Refused by an authorization policy (replied status 1). */
  Denied: 'denied',
  /** Refused before authorization: unsigned, bad signature, unknown key, expired, replayed (dropped, no reply). */
  Refused: 'refused',
} as const;
export type AuditOutcome = (typeof AuditOutcome)[keyof typeof AuditOutcome];

/**
 * One line of the audit log (JSON lines, as Choria's): written before the
 * action runs, so a request that crashes the node is still on record.
 */
export interface AuditRecord {
  /** When the node handled the request, ISO 8601 UTC. */
  time: string;
  request_id: string;
  /** When the client made the request, unix ms (as signed). */
  request_time: number;
  /** The caller, as verified from the signing key (absent when the signature was not verified). */
  callerid?: string;
  /** The caller the request claims to be, when that could not be verified (refused before verification, unsigned mode). */
  claimed_callerid?: string;
  /** True when the request's signature was verified against a trusted key. */
  verified: boolean;
  /** The signing key's id (first 16 hex characters), when signed. */
  key?: string;
  /** Identity of the client machine. */
  sender: string;
  collective: string;
  agent: string;
  action: string;
  /** The request's data; for refused requests (and large denied ones) `data_digest` instead. */
  data?: Record<string, unknown>;
  /** Hash, length and the first characters of the data's JSON: what a refused request carried, without storing it. */
  data_digest?: Digest;
  /** Where the reply was asked to go. */
  reply_to?: string;
  /** The request's filter (a digest when large). */
  filter?: unknown;
  /** The identities the request was signed for, when it names them. */
  targets?: string[];
  outcome: AuditOutcome;
  /** Why it was denied or refused, or which policy allowed it. */
  reason?: string;
}

/** What a digested value was: sha256 of its JSON, its length, and a prefix. */
export interface Digest {
  sha256: string;
  bytes: number;
  prefix: string;
}

/** Characters of a digested value kept as its prefix. */
export const digestPrefixChars = 64;

/** sha256, length and prefix of `value`'s JSON. */
export function digestOf(value: unknown): Digest {
  const text = JSON.stringify(value) ?? '';
  return { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text), prefix: text.slice(0, digestPrefixChars) };
}

/** `value` itself when its JSON has at most `maxChars` characters, else its digest. */
export function boundedValue(value: unknown, maxChars: number): unknown {
  const text = JSON.stringify(value) ?? '';
  return text.length <= maxChars ? value : digestOf(value);
}

/** Largest data (JSON characters) kept whole in a denied record. */
const deniedDataChars = 4096;
/** Largest filter (JSON characters) kept whole in any record. */
const filterChars = 2048;

/**
 * Build an audit record for `request`. Allowed requests keep their data;
 * denied ones keep it when small; refused ones (not verified, or not meant
 * for this node) keep only a digest, so refusals cannot fill the disk. The
 * caller id is `callerid` when the signature was verified, else
 * `claimed_callerid`.
 */
export function auditRecord(
  request: RequestMessage,
  outcome: AuditOutcome,
  options: { now: number; verified: boolean; key?: string | undefined; reason?: string | undefined },
): AuditRecord {
  const record: AuditRecord = {
    time: new Date(options.now).toISOString(),
    request_id: request.id,
    request_time: request.time,
    verified: options.verified,
    sender: request.sender,
    collective: request.collective,
    agent: request.agent,
    action: request.action,
    reply_to: request.reply_to,
    filter: boundedValue(request.filter, filterChars),
    outcome,
  };
  if (options.verified) record.callerid = request.callerid;
  else record.claimed_callerid = request.callerid;
  if (request.targets !== undefined) record.targets = request.targets.length <= 64 ? request.targets : [...request.targets.slice(0, 64), `... ${request.targets.length - 64} more`];
  if (outcome === AuditOutcome.Allowed) record.data = request.data;
  else if (outcome === AuditOutcome.Denied) {
    const data = boundedValue(request.data, deniedDataChars);
    if (data === request.data) record.data = request.data;
    else record.data_digest = data as Digest;
  } else record.data_digest = digestOf(request.data);
  if (options.key !== undefined) record.key = options.key;
  if (options.reason !== undefined) record.reason = options.reason;
  return record;
}

/**
 * One audit line standing for refusals that were counted, not written one
 * by one (rate limit): per claimed caller and reason, per interval.
 */
export interface AuditSummary {
  time: string;
  outcome: typeof AuditOutcome.Refused;
  summary: true;
  /** The drop reason (unsigned, unverified, replayed, ...). */
  reason_code: string;
  /** The claimed caller id (never verified for most refusals). */
  claimed_callerid: string;
  /** Refusals not written one by one since `since`. */
  suppressed: number;
  since: string;
}

/** One JSON line (with the newline). */
export function auditLine(record: AuditRecord | AuditSummary): string {
  return `${JSON.stringify(record)}\n`;
}
