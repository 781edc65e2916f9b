import type { NotifyEventName } from '../pipeline-notify.js';
import type { NodeRecord } from '../state.js';

/**
 * The event every notifier gets: the webhook body (JSON), the variables of
 * the email templates, the fields of the log line.
 */
export interface ProvisionEvent {
  /** `cohort:provision-event:1` */
  readonly protocol: 'cohort:provision-event:1';
  readonly event: NotifyEventName;
  readonly identity: string;
  /** ISO 8601. */
  readonly time: string;
  /** The provisioner that sends it. */
  readonly provisioner: string;
  /** Master host name and the CA node that signed. */
  readonly master: string | null;
  readonly ca: string | null;
  readonly certname: string | null;
  readonly fingerprint: string | null;
  /** Steps completed. */
  readonly steps: readonly string[];
  /** The step that failed (failed). */
  readonly step: string | null;
  readonly attempts: number;
  readonly error: string | null;
  /** ISO 8601: when a failed node is tried again. */
  readonly retry_after: string | null;
  readonly facts: Readonly<Record<string, unknown>>;
}

/** The event for a node's record (done → provisioned, failed → failed). */
export function eventFor(record: NodeRecord, provisioner: string, now: number): ProvisionEvent {
  const d = record.data;
  const failed = record.phase === 'failed';
  return {
    protocol: 'cohort:provision-event:1',
    event: failed ? 'failed' : 'provisioned',
    identity: record.identity,
    time: new Date(now).toISOString(),
    provisioner,
    master: d.master?.host ?? null,
    ca: d.master?.identity ?? null,
    certname: d.certname ?? null,
    fingerprint: d.fingerprint ?? null,
    steps: [...record.completed],
    step: failed ? record.step : null,
    attempts: record.attempts,
    error: failed ? record.error : null,
    retry_after: failed ? new Date(record.retry_after).toISOString() : null,
    facts: d.facts ?? {},
  };
}
