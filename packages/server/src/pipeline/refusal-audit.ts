import { AuditOutcome, auditRecord, type AuditSummary, type RequestMessage } from '@cohort/core';
import type { AuditSink } from './audit.js';

/** How refusals are rate-limited in the audit log. */
export interface RefusalAuditOptions {
  /** Refusals written one line each per interval, over all callers and reasons. */
  readonly perInterval: number;
  /** Of those, at most this many per claimed caller and reason. */
  readonly perKey?: number;
  readonly intervalMs?: number;
  /** Distinct caller/reason pairs tracked per interval (default 50); the rest share one summary per reason. */
  readonly maxKeys?: number;
  readonly clock?: () => number;
}

interface Tally {
  readonly caller: string;
  readonly reason: string;
  written: number;
  suppressed: number;
}

/**
 * The audit trail of refused requests (unsigned, unverified, replayed, not
 * for this node, ...). Anyone on the bus can cause these, so they must not
 * be able to fill the disk: each record holds a digest of the data rather
 * than the data (core auditRecord), and within each interval only the first
 * few per claimed caller and reason, and `perInterval` in all, are written
 * one by one; the rest are counted and written as one summary line per
 * caller and reason when the interval ends (and at close).
 */
export class RefusalAudit {
  readonly #sink: AuditSink;
  readonly #perInterval: number;
  readonly #perKey: number;
  readonly #maxKeys: number;
  readonly #clock: () => number;
  readonly #timer: NodeJS.Timeout;
  #tallies = new Map<string, Tally>();
  #written = 0;
  #since: number;

  constructor(sink: AuditSink, options: RefusalAuditOptions) {
    this.#sink = sink;
    this.#perInterval = options.perInterval;
    this.#perKey = options.perKey ?? 5;
    this.#maxKeys = options.maxKeys ?? 50;
    this.#clock = options.clock ?? Date.now;
    this.#since = this.#clock();
    this.#timer = setInterval(() => this.flush(), options.intervalMs ?? 60_000);
    this.#timer.unref();
  }

  /** Record one refusal (written or counted). */
  refuse(request: RequestMessage, reason: string, detail: string, verified: boolean, key: string | undefined): void {
    const caller = request.callerid;
    let id = `${reason}\u0000${caller}`;
    let tally = this.#tallies.get(id);
    if (!tally && this.#tallies.size >= this.#maxKeys) {
      id = `${reason}\u0000*`;
      tally = this.#tallies.get(id);
    }
    if (!tally) {
      tally = { caller: id.endsWith('\u0000*') ? '*' : caller, reason, written: 0, suppressed: 0 };
      this.#tallies.set(id, tally);
    }
    if (tally.written < this.#perKey && this.#written < this.#perInterval) {
      tally.written++;
      this.#written++;
      this.#sink.write(auditRecord(request, AuditOutcome.Refused, { now: this.#clock(), verified, key, reason: detail }));
    } else {
      tally.suppressed++;
    }
  }

  /** Write the summaries of this interval and start the next one. */
  flush(): void {
    const now = this.#clock();
    for (const tally of this.#tallies.values()) {
      if (tally.suppressed === 0) continue;
      const summary: AuditSummary = {
        time: new Date(now).toISOString(),
        outcome: AuditOutcome.Refused,
        summary: true,
        reason_code: tally.reason,
        claimed_callerid: tally.caller,
        suppressed: tally.suppressed,
        since: new Date(this.#since).toISOString(),
      };
      this.#sink.write(summary);
    }
    this.#tallies = new Map();
    this.#written = 0;
    this.#since = now;
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
