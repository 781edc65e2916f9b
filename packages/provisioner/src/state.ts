import type { MasterChoice } from './master.js';
import type { StepName } from './pipeline-spec.js';

/**
 * A node's provisioning state, as stored in the state bucket under its
 * identity, and the transitions between states as pure functions (the
 * store writes them with compare-and-set, see claim.ts):
 *
 *   (none) ─claim→ running ─step…→ running ─finish→ done (never again)
 *                     │  └─release (shutdown)→ pending ─claim→ running (resumes)
 *                     └─attempt failed→ pending (retry_delay) … → failed (cooldown) ─claim→ running (new round)
 *
 * A running node whose lease ran out (its provisioner died) may be claimed
 * by anyone and resumes after its last completed step.
 */

export type Phase = 'pending' | 'running' | 'done' | 'failed';

/** What earlier steps found out, needed by later ones (all public: no key ever leaves the node). */
export interface StepData {
  facts?: Record<string, unknown>;
  master?: MasterChoice;
  certname?: string;
  csr?: string;
  ssl_dir?: string;
  certificate?: string;
  ca_pem?: string;
  fingerprint?: string;
  /** The final config written by configure. */
  config?: string;
}

export interface NodeRecord {
  readonly v: 1;
  readonly identity: string;
  readonly phase: Phase;
  /** Steps completed in this round, in order. */
  readonly completed: readonly StepName[];
  /** The step being run (running) or that failed (pending/failed). */
  readonly step: StepName | null;
  /** Attempts started, ever. */
  readonly attempts: number;
  /** Failed attempts in a row in this round (reset by success, a new round, retry). */
  readonly failures: number;
  readonly error: string | null;
  /** Provisioner holding the claim (running; done until notified). */
  readonly owner: string | null;
  /** The holder's process instance: a restarted provisioner of the same name waits for the lease too. */
  readonly instance: string | null;
  /** Unix ms the claim lasts until unless renewed. */
  readonly lease_until: number;
  /** Unix ms before which a pending/failed node is not tried. */
  readonly retry_after: number;
  readonly data: StepData;
  /** Done and the notifiers were told. */
  readonly notified: boolean;
  readonly created: number;
  readonly updated: number;
  readonly finished: number | null;
}

/** Who is claiming. */
export interface Claimant {
  readonly owner: string;
  readonly instance: string;
}

/** Retry policy of attempts (from the pipeline's `state:` section), in ms. */
export interface AttemptPolicy {
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly cooldownMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A fresh record for a node never seen before. */
export function newRecord(identity: string, now: number): NodeRecord {
  return { v: 1, identity, phase: 'pending', completed: [], step: null, attempts: 0, failures: 0, error: null, owner: null, instance: null, lease_until: 0, retry_after: 0, data: {}, notified: false, created: now, updated: now, finished: null };
}

/** Why `me` may not claim this node now, or undefined when it may. */
export function claimBlocker(rec: NodeRecord | undefined, me: Claimant, now: number): string | undefined {
  if (!rec) return undefined;
  const held = rec.owner !== null && rec.lease_until > now && rec.instance !== me.instance;
  if (rec.phase === 'done' && rec.notified) return `provisioned already (${rec.finished !== null ? iso(rec.finished) : 'earlier'}); cohort provisioner retry ${rec.identity} provisions it again`;
  if (held) return `claimed by ${rec.owner} until ${iso(rec.lease_until)}`;
  if ((rec.phase === 'pending' || rec.phase === 'failed') && rec.retry_after > now) return `${rec.phase === 'failed' ? 'failed; cooling down' : 'waiting to retry'} until ${iso(rec.retry_after)}`;
  return undefined;
}

/** The record after `me` claimed it: running, leased; a failed node starts a new round from the first step. */
export function claimed(rec: NodeRecord, me: Claimant, now: number, leaseMs: number): NodeRecord {
  const base = { ...rec, owner: me.owner, instance: me.instance, lease_until: now + leaseMs, updated: now };
  if (rec.phase === 'done') return base; // only its notification is outstanding
  const fresh = rec.phase === 'failed' ? { completed: [], failures: 0, data: {} } : {};
  return { ...base, ...fresh, phase: 'running', step: null, attempts: rec.attempts + 1, retry_after: 0 };
}

export function renewed(rec: NodeRecord, now: number, leaseMs: number): NodeRecord {
  return { ...rec, lease_until: now + leaseMs, updated: now };
}

export function stepStarted(rec: NodeRecord, step: StepName, now: number): NodeRecord {
  return { ...rec, step, updated: now };
}

export function stepCompleted(rec: NodeRecord, step: StepName, data: StepData, now: number): NodeRecord {
  const completed = rec.completed.includes(step) ? rec.completed : [...rec.completed, step];
  return { ...rec, completed, data: { ...rec.data, ...data }, updated: now };
}

/** An attempt failed at `step`: pending for retryDelay, or failed for the cooldown after maxAttempts in a row. */
export function attemptFailed(rec: NodeRecord, step: StepName | null, error: string, now: number, policy: AttemptPolicy): NodeRecord {
  const failures = rec.failures + 1;
  const gaveUp = failures >= policy.maxAttempts;
  return {
    ...rec,
    phase: gaveUp ? 'failed' : 'pending',
    step,
    failures,
    error,
    owner: null,
    instance: null,
    lease_until: 0,
    retry_after: now + (gaveUp ? policy.cooldownMs : policy.retryDelayMs),
    updated: now,
  };
}

/** Every step done: done, still held until the notifiers were told. */
export function finished(rec: NodeRecord, now: number): NodeRecord {
  return { ...rec, phase: 'done', step: null, failures: 0, error: null, notified: false, finished: now, updated: now };
}

export function notifiedDone(rec: NodeRecord, now: number): NodeRecord {
  return { ...rec, notified: true, owner: null, instance: null, lease_until: 0, updated: now };
}

/** Given back (shutdown): anyone may resume it at once. */
export function released(rec: NodeRecord, now: number): NodeRecord {
  return { ...rec, phase: rec.phase === 'running' ? 'pending' : rec.phase, owner: null, instance: null, lease_until: 0, retry_after: 0, updated: now };
}

/** `cohort provisioner retry`: start again from the first step, now. */
export function resetForRetry(rec: NodeRecord, now: number): NodeRecord {
  return { ...rec, phase: 'pending', completed: [], step: null, failures: 0, error: null, owner: null, instance: null, lease_until: 0, retry_after: 0, data: {}, notified: false, finished: null, updated: now };
}

/** Whether a scan of the bucket should queue this node now (the claim decides for good). */
export function wantsWork(rec: NodeRecord, now: number): boolean {
  if (rec.phase === 'done') return !rec.notified && rec.lease_until <= now;
  if (rec.phase === 'running') return rec.lease_until <= now;
  return rec.retry_after <= now;
}
