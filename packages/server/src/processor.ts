import type { NodeInfo } from '@cohort/agents';
import { AuditOutcome, auditRecord, matchFilter, Status, validateInputs, type NodeView, type RequestMessage, type StatusCode } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { dispatch, type ActionOutcome } from './dispatcher.js';
import type { NodeSecurity } from './node-security.js';
import { authorizeStage } from './pipeline/authorize.js';
import { filterStage, type FilterMatcher } from './pipeline/filter.js';
import { lookupStage } from './pipeline/lookup.js';
import { Drop, Refusal, type Arrival } from './pipeline/outcome.js';
import { replayStage } from './pipeline/replay.js';
import { buildReply, encodeReply } from './pipeline/reply.js';
import { routeStage } from './pipeline/route.js';
import { ttlStage } from './pipeline/ttl.js';
import { validateStage, type InputValidator } from './pipeline/validate.js';
import { verifyStage, type Admitted } from './pipeline/verify.js';
import { RateLimitedLog } from './rate-limit.js';
import type { AgentLookup } from './registry.js';
import { Semaphore } from './semaphore.js';
import { DropReason, type Stats } from './stats.js';

const noDefaults: Readonly<Record<string, unknown>> = Object.freeze({});

/** What the processor needs; everything is passed in so tests can use fakes. */
export interface ProcessorDeps {
  readonly identity: string;
  /** Largest request accepted, in bytes. */
  readonly maxBytes: number;
  /** Largest reply sent (defaults to maxBytes); bigger replies become status 5. */
  readonly maxReplyBytes?: number;
  readonly agents: AgentLookup;
  /** This node as filters see it (cheap: called per message). */
  readonly view: () => NodeView;
  /** This node as agents see it. */
  readonly node: NodeInfo;
  readonly stats: Stats;
  /** Publish bytes (throws when the connection cannot take them). */
  readonly publish: (subject: string, bytes: Uint8Array) => void;
  readonly log: Logger;
  /** Actions allowed to run at once. */
  readonly maxConcurrency: number;
  readonly clock?: () => number;
  readonly match?: FilterMatcher;
  readonly validate?: InputValidator;
  /** Signatures, replay protection, authorization, audit and reply signing; absent = none of them (unsigned). */
  readonly security?: NodeSecurity;
}

/**
 * The request pipeline: decode + verify -> route -> ttl -> filter -> replay
 * -> lookup -> authorize -> validate -> audit -> dispatch -> reply (signed
 * with the node key). Bad messages are logged (rate-limited), counted and
 * dropped (security refusals are also audited); every request that passed
 * the replay check gets exactly one reply. `handle` never rejects.
 */
export class Processor {
  readonly #d: ProcessorDeps;
  readonly #clock: () => number;
  readonly #match: FilterMatcher;
  readonly #validate: InputValidator;
  readonly #semaphore: Semaphore;
  readonly #warn: RateLimitedLog;
  readonly #shutdown = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(deps: ProcessorDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? Date.now;
    this.#match = deps.match ?? matchFilter;
    this.#validate = deps.validate ?? validateInputs;
    this.#semaphore = new Semaphore(deps.maxConcurrency);
    this.#warn = new RateLimitedLog(deps.log);
  }

  /** Requests being served (waiting for a slot or running). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Process one message from the bus. */
  handle(bytes: Uint8Array, arrival: Arrival): Promise<void> {
    const stats = this.#d.stats;
    const security = this.#d.security;
    stats.total++;
    const now = this.#clock();
    const admitted = verifyStage(bytes, this.#d.maxBytes, security, now);
    if (admitted instanceof Drop) {
      if (admitted.request) {
        stats.validated++;
        this.#audit(admitted.request, AuditOutcome.Refused, false, undefined, admitted.detail);
      } else {
        stats.unvalidated++;
      }
      if (bytes.byteLength > this.#d.maxBytes) return this.#oversize(admitted, bytes.byteLength, arrival);
      return this.#drop(admitted, arrival);
    }
    stats.validated++;
    const { request } = admitted;
    const misrouted = routeStage(request, arrival);
    if (misrouted) return this.#drop(misrouted, arrival);
    const expired = ttlStage(request, now);
    if (expired) {
      stats.ttlexpired++;
      this.#audit(request, AuditOutcome.Refused, admitted.verified, admitted.key, expired.detail);
      return this.#drop(expired, arrival);
    }
    const filtered = filterStage(request, this.#d.view(), this.#match);
    if (filtered) {
      stats.filtered++;
      stats.drop(filtered.reason);
      return Promise.resolve();
    }
    const replayed = security ? replayStage(request, security.replay, now) : undefined;
    if (replayed) {
      this.#audit(request, AuditOutcome.Refused, admitted.verified, admitted.key, replayed.detail);
      return this.#drop(replayed, arrival);
    }
    stats.passed++;
    const work = this.#serve(admitted).catch((err: unknown) => {
      this.#d.log.error(`request ${request.id} failed inside the pipeline: ${String(err)}`);
    });
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
    return work;
  }

  /** Wait until nothing is in flight, at most `timeoutMs`; true when idle. */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      while (this.#inFlight.size > 0) {
        const done = await Promise.race([Promise.allSettled([...this.#inFlight]).then(() => true), expired]);
        if (!done) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Abort every running action (they reply status 1) and any that start later. */
  abortAll(): void {
    this.#shutdown.abort();
  }

  #drop(drop: Drop, arrival: Arrival): Promise<void> {
    this.#d.stats.drop(drop.reason);
    this.#warn.warn(drop.reason, `dropped a message on collective '${arrival.collective}': ${drop.detail}`, { reason: drop.reason });
    return Promise.resolve();
  }

  /** An oversize message: its own rate-limited log line naming the subject, the size and the limit. */
  #oversize(drop: Drop, size: number, arrival: Arrival): Promise<void> {
    const limit = this.#d.maxBytes;
    const where = arrival.subject ?? `collective '${arrival.collective}'`;
    this.#d.stats.drop(drop.reason);
    this.#warn.warn(
      'oversize',
      `dropped a message of ${size} bytes on ${where}: larger than max_message_bytes (${limit}); raise max_message_bytes in this node's config if such requests are legitimate`,
      { reason: drop.reason, subject: arrival.subject, bytes: size, limit },
    );
    return Promise.resolve();
  }

  /** Write an audit record (when auditing); false when it could not be written. */
  #audit(request: RequestMessage, outcome: AuditOutcome, verified: boolean, key: string | undefined, reason: string | undefined): boolean {
    const sink = this.#d.security?.audit;
    return sink ? sink.write(auditRecord(request, outcome, { now: this.#clock(), verified, key, reason })) : true;
  }

  async #serve(admitted: Admitted): Promise<void> {
    const { request } = admitted;
    const target = lookupStage(request, this.#d.agents, this.#d.identity);
    if (target instanceof Refusal) return this.#reply(request, target.status, target.message, noDefaults, undefined);
    const { agent, action } = target;
    const authorized = authorizeStage(request, this.#d.security?.policies, this.#d.view(), this.#clock());
    if (authorized instanceof Refusal) {
      this.#d.stats.drop(DropReason.Unauthorized);
      this.#audit(request, AuditOutcome.Denied, admitted.verified, admitted.key, authorized.message);
      this.#warn.warn(DropReason.Unauthorized, `denied ${request.callerid} ${request.agent}#${request.action} (request ${request.id}): ${authorized.message}`);
      return this.#reply(request, authorized.status, authorized.message, action.defaults, undefined);
    }
    const input = validateStage(action.ddl, request.data, this.#validate);
    if (input instanceof Refusal) return this.#reply(request, input.status, input.message, action.defaults, undefined);
    // The audit line is written before the action runs; if it cannot be written the action does not run.
    if (!this.#audit(request, AuditOutcome.Allowed, admitted.verified, admitted.key, authorized)) {
      this.#d.stats.drop(DropReason.AuditFailed);
      return this.#reply(request, Status.Aborted, 'Request Aborted: the node cannot write its audit log, so it runs nothing', action.defaults, undefined);
    }

    const release = await this.#semaphore.acquire();
    let outcome: ActionOutcome;
    try {
      const { id, callerid, sender, collective } = request;
      const base = { log: agent.log, node: this.#d.node, request: { id, callerid, sender, agent: agent.name, action: action.ddl.action, collective } };
      outcome = await dispatch(request.action, action.handler, input, base, { timeoutMs: agent.timeoutMs, shutdown: this.#shutdown.signal });
    } finally {
      release();
    }
    if (outcome.error !== undefined) agent.log.warn(`${agent.name}#${request.action} failed: ${outcome.message}`, { request: request.id });
    this.#reply(request, outcome.status, outcome.message, action.defaults, outcome.data);
  }

  #reply(request: RequestMessage, status: StatusCode, message: string, defaults: Readonly<Record<string, unknown>>, data: Record<string, unknown> | undefined): void {
    const reply = buildReply(request, this.#d.identity, status, message, defaults, data, this.#clock());
    const { bytes } = encodeReply(reply, defaults, this.#d.maxReplyBytes ?? this.#d.maxBytes, this.#d.security?.signer);
    try {
      this.#d.publish(request.reply_to, bytes);
      this.#d.stats.replies++;
    } catch (err) {
      this.#d.stats.drop(DropReason.ReplyFailed);
      this.#warn.warn(DropReason.ReplyFailed, `could not publish the reply to ${request.reply_to}: ${String(err)}`);
    }
  }
}
