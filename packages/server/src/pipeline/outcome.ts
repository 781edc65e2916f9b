import type { RequestMessage, StatusCode } from '@cohort/core';
import type { DropReason } from '../stats.js';

/** A stage decided the message gets no reply. */
export class Drop {
  constructor(
    readonly reason: DropReason,
    readonly detail: string,
    /** The request, when the message decoded far enough to have one (for the audit log). */
    readonly request?: RequestMessage,
  ) {}
}

/** A stage decided the request gets an error reply (status 1..5) instead of running. */
export class Refusal {
  constructor(
    readonly status: Exclude<StatusCode, 0>,
    readonly message: string,
  ) {}
}

/** Where a message arrived: which collective, and a broadcast for one agent or this node's own subject. */
export interface Arrival {
  readonly collective: string;
  /** The agent of a broadcast subject; undefined for the node subject. */
  readonly agent: string | undefined;
  /** The subject it arrived on (for log lines). */
  readonly subject?: string;
}
