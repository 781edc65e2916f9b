import { errorMessage } from '@cohort/core';
import { claimBlocker, claimed, newRecord, renewed, type Claimant, type NodeRecord } from './state.js';
import type { StateStore } from './state-store.js';
import type { Time } from './time.js';

/**
 * A claim on one node: taken with compare-and-set, kept alive by renewing
 * its lease every third of it, and the only way this provisioner writes the
 * node's record while it holds it (writes are serialised, each one
 * compare-and-set on the last revision). If a write finds that someone else
 * wrote meanwhile, the claim is lost: `signal` aborts and the work stops.
 */

/** Our claim was overwritten by someone else (a lease that ran out while we were stuck, or `retry`). */
export class LostClaimError extends Error {
  readonly code = 'LOST_CLAIM';
  constructor(identity: string, why: string) {
    super(`lost the claim on ${identity}: ${why}`);
    this.name = 'LostClaimError';
  }
}

export type ClaimResult = { claim: Claim } | { skipped: string };

/** Try to claim `identity` for `me`; says why not when someone else holds it, or it is done or resting. */
export async function claimNode(store: StateStore, identity: string, me: Claimant, time: Time, leaseMs: number): Promise<ClaimResult> {
  const entry = await store.get(identity);
  const now = time.now();
  const blocker = claimBlocker(entry?.record, me, now);
  if (blocker !== undefined) return { skipped: blocker };
  const next = claimed(entry?.record ?? newRecord(identity, now), me, now, leaseMs);
  const revision = entry ? await store.update(next, entry.revision) : await store.create(next);
  if (revision === undefined) return { skipped: 'another provisioner claimed it at the same moment' };
  return { claim: new Claim(store, next, revision, time, leaseMs) };
}

export class Claim {
  readonly #store: StateStore;
  readonly #time: Time;
  readonly #leaseMs: number;
  readonly #abort = new AbortController();
  #record: NodeRecord;
  #revision: number;
  #chain: Promise<unknown> = Promise.resolve();
  #renewal: { stop(): void } | undefined;

  constructor(store: StateStore, record: NodeRecord, revision: number, time: Time, leaseMs: number) {
    this.#store = store;
    this.#record = record;
    this.#revision = revision;
    this.#time = time;
    this.#leaseMs = leaseMs;
  }

  get record(): NodeRecord {
    return this.#record;
  }

  /** Aborts when the claim is lost. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Renew the lease every third of it until end(). A failed renewal is retried at the next tick; a conflict loses the claim. */
  startRenewal(onError: (err: unknown) => void): void {
    this.#renewal ??= this.#time.every(Math.max(500, Math.floor(this.#leaseMs / 3)), () => {
      this.save((r, now) => renewed(r, now, this.#leaseMs)).catch((err: unknown) => {
        if (!(err instanceof LostClaimError)) onError(err);
      });
    });
  }

  /** Write `change(record)` with compare-and-set; throws LostClaimError (and aborts `signal`) on a conflict. */
  save(change: (record: NodeRecord, now: number) => NodeRecord): Promise<NodeRecord> {
    const run = async (): Promise<NodeRecord> => {
      if (this.#abort.signal.aborted) throw new LostClaimError(this.#record.identity, String(this.#abort.signal.reason ?? 'claim ended'));
      const next = change(this.#record, this.#time.now());
      let revision: number | undefined;
      try {
        revision = await this.#store.update(next, this.#revision);
      } catch (err) {
        throw new Error(`cannot write the state of ${next.identity} to the ${this.#store.name}: ${errorMessage(err)}`, { cause: err });
      }
      if (revision === undefined) {
        this.end('someone else changed its record');
        throw new LostClaimError(next.identity, 'someone else changed its record (its lease ran out, or cohort provisioner retry)');
      }
      this.#record = next;
      this.#revision = revision;
      return next;
    };
    const result = this.#chain.then(run, run);
    this.#chain = result.catch(() => undefined);
    return result;
  }

  /** Stop renewing; further saves fail. */
  end(reason = 'claim ended'): void {
    this.#renewal?.stop();
    this.#renewal = undefined;
    if (!this.#abort.signal.aborted) this.#abort.abort(reason);
  }

  /** Stop renewing but keep the claim writable (final writes after the work). */
  stopRenewal(): void {
    this.#renewal?.stop();
    this.#renewal = undefined;
  }
}
