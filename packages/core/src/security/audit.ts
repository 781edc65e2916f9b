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
  callerid: string;
  /** True when the request's signature was verified against a trusted key. */
  verified: boolean;
  /** The signing key's id (first 16 hex characters), when signed. */
  key?: string;
  /** Identity of the client machine. */
  sender: string;
  collective: string;
  agent: string;
  action: string;
  data: Record<string, unknown>;
  outcome: AuditOutcome;
  /** Why it was denied or refused, or which policy allowed it. */
  reason?: string;
}

/** Build an audit record for `request`. */
export function auditRecord(
  request: RequestMessage,
  outcome: AuditOutcome,
  options: { now: number; verified: boolean; key?: string | undefined; reason?: string | undefined },
): AuditRecord {
  const record: AuditRecord = {
    time: new Date(options.now).toISOString(),
    request_id: request.id,
    request_time: request.time,
    callerid: request.callerid,
    verified: options.verified,
    sender: request.sender,
    collective: request.collective,
    agent: request.agent,
    action: request.action,
    data: request.data,
    outcome,
  };
  if (options.key !== undefined) record.key = options.key;
  if (options.reason !== undefined) record.reason = options.reason;
  return record;
}

/** One JSON line (with the newline). */
export function auditLine(record: AuditRecord): string {
  return `${JSON.stringify(record)}\n`;
}
