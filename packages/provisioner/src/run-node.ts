import { errorMessage } from '@cohort/core';
import { claimNode, LostClaimError, type Claim } from './claim.js';
import type { FleetApi } from './fleet.js';
import type { ProvisionerLog } from './log.js';
import { eventFor, notifyAll, type Notifier } from './notify/index.js';
import type { Pipeline } from './pipeline-load.js';
import type { StepName } from './pipeline-spec.js';
import { withRetries } from './retry.js';
import { attemptFailed, finished, notifiedDone, released, stepCompleted, stepStarted, type Claimant, type NodeRecord } from './state.js';
import type { StateStore } from './state-store.js';
import { steps } from './steps.js';
import type { Time } from './time.js';

/**
 * One node through the pipeline: claim it, run the enabled steps it has not
 * completed yet (each with its timeout and retries with backoff), record
 * each completed step, and finish (done + notified) or record the failure
 * (pending for a retry, or failed for the cool-down, notified). On shutdown
 * the claim is released after the running step, so any provisioner resumes
 * the node at once.
 */

export interface RunDeps {
  readonly pipeline: Pipeline;
  readonly fleet: FleetApi;
  readonly store: StateStore;
  readonly notifiers: readonly Notifier[];
  /** Milliseconds one notifier may take before it is given up on (default notifyDeadlineMs, 60 s). */
  readonly notifyDeadlineMs?: number;
  readonly log: ProvisionerLog;
  readonly time: Time;
  readonly me: Claimant;
  /** Aborts when the provisioner shuts down. */
  readonly stopping: AbortSignal;
}

export type NodeOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'done' }
  | { kind: 'notified' }
  | { kind: 'retrying'; error: string; at: number }
  | { kind: 'failed'; error: string }
  | { kind: 'released' }
  | { kind: 'lost'; reason: string };

/** Take `identity` as far as it goes now. Never throws for the node's own failures. */
export async function provisionNode(identity: string, deps: RunDeps): Promise<NodeOutcome> {
  const { pipeline, store, time, me, log } = deps;
  const leaseMs = pipeline.config.state.lease * 1000;
  const taken = await claimNode(store, identity, me, time, leaseMs);
  if ('skipped' in taken) return { kind: 'skipped', reason: taken.skipped };
  const claim = taken.claim;
  claim.startRenewal((err) => log.warn(`renewing the claim on ${identity} failed (retried): ${errorMessage(err)}`));
  try {
    if (claim.record.phase === 'done') return await announce(claim, deps, 'notified');
    const resumed = claim.record.completed.length > 0;
    log.info(`${resumed ? 'resuming' : 'provisioning'} ${identity} (attempt ${claim.record.attempts}${resumed ? `, after ${claim.record.completed.at(-1)}` : ''})`);
    await noticeRestart(claim, deps);
    for (const step of pipeline.steps) {
      if (deps.stopping.aborted) return await release(claim, deps);
      if (!shouldRun(step, claim.record)) continue;
      const failure = await runStep(step, claim, deps);
      if (failure === 'stopped') return await release(claim, deps);
      if (failure !== undefined) return await fail(step, failure, claim, deps);
    }
    await claim.save((r, now) => finished(r, now));
    return await announce(claim, deps, 'done');
  } catch (err) {
    if (err instanceof LostClaimError) {
      log.warn(err.message);
      return { kind: 'lost', reason: err.message };
    }
    throw err;
  } finally {
    claim.end();
  }
}

/** Completed steps are not run again, except lock (renewed by every attempt, until the node has restarted out of provisioning mode). */
function shouldRun(step: StepName, r: NodeRecord): boolean {
  if (step === 'lock') return !r.completed.includes('restart');
  return !r.completed.includes(step);
}

/** Resumed after configure: if the node already restarted into production (we died before recording it), restart counts as done. */
async function noticeRestart(claim: Claim, deps: RunDeps): Promise<void> {
  const r = claim.record;
  if (!deps.pipeline.steps.includes('restart') || !r.completed.includes('configure') || r.completed.includes('restart')) return;
  if (await deps.fleet.answers(r.identity, 2).catch(() => false)) {
    deps.log.info(`${r.identity} already answers in ${deps.pipeline.config.production.collective}: its restart happened`);
    await claim.save((rec, now) => stepCompleted(rec, 'restart', {}, now));
  }
}

/** Run one step with retries; undefined on success, 'stopped' when shutting down, else the error. */
async function runStep(step: StepName, claim: Claim, deps: RunDeps): Promise<string | 'stopped' | undefined> {
  const { pipeline, log, time } = deps;
  const settings = pipeline.config.steps[step];
  const identity = claim.record.identity;
  await claim.save((r, now) => stepStarted(r, step, now));
  const started = time.now();
  const signal = AbortSignal.any([claim.signal, deps.stopping]);
  try {
    const data = await withRetries(
      () => steps[step]({ identity, pipeline, fleet: deps.fleet, time, data: claim.record.data, timeoutS: settings.timeout, signal }),
      {
        retries: settings.retries,
        initialMs: pipeline.config.backoff.initial * 1000,
        maxMs: pipeline.config.backoff.max * 1000,
        time,
        signal,
        onRetry: (err, next, wait) => log.warn(`${identity}: ${step} failed (${errorMessage(err)}); try ${next} of ${settings.retries + 1} in ${wait} ms`),
      },
    );
    await claim.save((r, now) => stepCompleted(r, step, data, now));
    log.debug(`${identity}: ${step} done in ${time.now() - started} ms`);
    return undefined;
  } catch (err) {
    if (err instanceof LostClaimError || claim.signal.aborted) throw err instanceof LostClaimError ? err : new LostClaimError(identity, String(claim.signal.reason));
    if (deps.stopping.aborted) return 'stopped';
    return errorMessage(err);
  }
}

async function fail(step: StepName, error: string, claim: Claim, deps: RunDeps): Promise<NodeOutcome> {
  const { pipeline, log } = deps;
  const policy = { maxAttempts: pipeline.config.state.max_attempts, retryDelayMs: pipeline.config.state.retry_delay * 1000, cooldownMs: pipeline.config.state.cooldown * 1000 };
  await unlock(claim, deps);
  const r = await claim.save((rec, now) => attemptFailed(rec, step, `${step}: ${error}`, now, policy));
  if (r.phase === 'failed') {
    await notifyAll(deps.notifiers, eventFor(r, pipeline.name, deps.time.now()), log, deps.notifyDeadlineMs);
    return { kind: 'failed', error: r.error ?? error };
  }
  log.warn(`${r.identity}: attempt ${r.attempts} failed at ${step}: ${error}; next try after ${new Date(r.retry_after).toISOString()}`);
  return { kind: 'retrying', error, at: r.retry_after };
}

async function release(claim: Claim, deps: RunDeps): Promise<NodeOutcome> {
  await unlock(claim, deps);
  await claim.save((r, now) => released(r, now));
  deps.log.info(`released ${claim.record.identity} after ${claim.record.completed.at(-1) ?? 'no step'} (shutting down)`);
  return { kind: 'released' };
}

/** Best effort: free the node-side lock so another provisioner need not wait for its TTL. */
async function unlock(claim: Claim, deps: RunDeps): Promise<void> {
  const r = claim.record;
  if (!r.completed.includes('lock') || r.completed.includes('restart')) return;
  const { agent, token } = deps.pipeline.config.provisioning;
  await deps.fleet
    .call('provisioning', r.identity, agent, 'unlock', { owner: deps.pipeline.name, ...(token !== null ? { token } : {}) }, 10)
    .catch((err: unknown) => deps.log.debug(`unlocking ${r.identity} failed: ${errorMessage(err)}`));
}

/** Done: tell the notifiers, then record that they were told. */
async function announce(claim: Claim, deps: RunDeps, kind: 'done' | 'notified'): Promise<NodeOutcome> {
  await notifyAll(deps.notifiers, eventFor(claim.record, deps.pipeline.name, deps.time.now()), deps.log, deps.notifyDeadlineMs);
  await claim.save((r, now) => notifiedDone(r, now));
  return { kind };
}
