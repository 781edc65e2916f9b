import type { NodeInfo } from '@cohort/agents';
import { AuditOutcome, auditRecord, matchFilter, Status, validateInputs, type NodeView, type RequestMessage, type StatusCode } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { startDispatch, type ActionOutcome } from './dispatcher.js';
import { createFstat, type AsyncFstat } from './fstat.js';
import type { NodeSecurity } from './node-security.js';
import { authorizeStage } from './pipeline/authorize.js';
import { matchDeferred, splitFilter } from './pipeline/deferred-filter.js';
import { filterSizeStage } from './pipeline/filter-size.js';
import { filterStage, type FilterMatcher } from './pipeline/filter.js';
import { lookupStage } from './pipeline/lookup.js';
import { Drop, Refusal, type Arrival } from './pipeline/outcome.js';
import { replayStage } from './pipeline/replay.js';
import { replyToStage } from './pipeline/reply-to.js';
import { buildReply, encodeReply } from './pipeline/reply.js';
import { routeStage } from './pipeline/route.js';
import { targetsStage } from './pipeline/targets.js';
import { defaultFreshness, effectiveTtl, ttlStage, type Freshness } from './pipeline/ttl.js';
import { validateStage, type InputValidator } from './pipeline/validate.js';
import { verifyStage, type Admitted } from './pipeline/verify.js';
import { RateLimitedLog } from './rate-limit.js';
import type { AgentLookup, HostedAction, HostedAgent } from './registry.js';
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
  /** Requests allowed to wait for a slot (max_queue); more are refused with status 1. Default: unbounded. */
  readonly maxQueue?: number;
  /** ttl cap, future skew and daemon start (security settings); default lenient. */
  readonly freshness?: Freshness;
  /** fstat() for filters (security.fstat_paths); default: anywhere but /proc, /sys, /dev, md5 up to 64 MiB. */
  readonly fstat?: AsyncFstat;
}

/**
 * The request pipeline: decode + verify -> route -> filter size -> reply_to
 * -> targets -> ttl -> filter (without fstat) -> lookup -> authorize ->
 * replay -> filter (fstat, async) -> validate -> queue -> ttl again ->
 * audit -> dispatch -> reply (signed with the node key). Bad messages are
 * logged (rate-limited), counted and dropped (security refusals are also
 * audited, rate-limited); nothing is remembered in the replay cache or
 * touches the disk before authorization. Every request that passed the
 * reply_to check and is not filtered out or refused as a replay gets exactly
 * one reply. `handle` never rejects.
 */
export class Processor {
  readonly #d: ProcessorDeps;
  readonly #clock: () => number;
  readonly #match: FilterMatcher;
  readonly #validate: InputValidator;
  readonly #semaphore: Semaphore;
  readonly #maxQueue: number;
  readonly #freshness: Freshness;
  readonly #fstat: AsyncFstat;
  readonly #warn: RateLimitedLog;
  readonly #shutdown = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(deps: ProcessorDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? Date.now;
    this.#match = deps.match ?? matchFilter;
    this.#validate = deps.validate ?? validateInputs;
    this.#semaphore = new Semaphore(deps.maxConcurrency);
    this.#maxQueue = deps.maxQueue ?? Infinity;
    this.#freshness = deps.freshness ?? defaultFreshness;
    this.#fstat = deps.fstat ?? createFstat({ allow: ['/'], maxDigestBytes: 64 * 1024 * 1024 });
    this.#warn = new RateLimitedLog(deps.log);
  }

  /** Requests being served (waiting for a slot or running). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Process one message from the bus. */
  handle(bytes: Uint8Array, arrival: Arrival): Promise<void> {
    const stats = this.#d.stats;
    stats.total++;
    const now = this.#clock();
    const admitted = verifyStage(bytes, this.#d.maxBytes, this.#d.security, now);
    if (admitted instanceof Drop) {
      if (admitted.request) stats.validated++;
      else stats.unvalidated++;
      if (bytes.byteLength > this.#d.maxBytes) return this.#oversize(admitted, bytes.byteLength, arrival);
      return this.#refuse(admitted, arrival, false, undefined);
    }
    stats.validated++;
    const { request, verified, key } = admitted;
    const misrouted = routeStage(request, arrival);
    if (misrouted) return this.#drop(misrouted, arrival);
    // Checks on what the request asks of this node, before anything may reply or look at the filter.
    const refused = filterSizeStage(request) ?? replyToStage(request) ?? targetsStage(request, this.#d.identity);
    if (refused) return this.#refuse(refused, arrival, verified, key);
    const expired = ttlStage(request, now, this.#freshness);
    if (expired) {
      if (expired.reason === DropReason.TtlExpired) stats.ttlexpired++;
      return this.#refuse(expired, arrival, verified, key);
    }
    const { now: filter, later } = splitFilter(request.filter);
    // Without fstat compounds the filter is the request's own: no copy of the request.
    const filtered = filterStage(filter === request.filter ? request : { ...request, filter }, this.#d.view(), this.#match);
    if (filtered) {
      stats.filtered++;
      stats.drop(filtered.reason);
      return Promise.resolve();
    }
    let pending: Promise<void> | undefined;
    try {
      pending = this.#serve(admitted, later, arrival);
    } catch (err) {
      this.#failed(request, err);
    }
    // Served in this turn (a synchronous action with a free slot: rpcutil ping): nothing stays in flight.
    if (pending === undefined) return done;
    const work = pending.catch((err: unknown) => this.#failed(request, err));
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
    return work;
  }

  #failed(request: RequestMessage, err: unknown): void {
    this.#d.log.error(`request ${request.id} failed inside the pipeline: ${String(err)}`);
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

  /** A refused request: counted, logged (rate-limited) and audited (rate-limited, digest of the data). */
  #refuse(drop: Drop, arrival: Arrival, verified: boolean, key: string | undefined): Promise<void> {
    if (drop.request) this.#d.security?.refusals?.refuse(drop.request, drop.reason, drop.detail, verified, key);
    return this.#drop(drop, arrival);
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

  /**
   * Lookup, authorization, replay check, deferred filter, input validation,
   * a slot, the action, the reply. Runs in the caller's turn as far as it
   * can: undefined when the request was served synchronously (a free slot
   * and an action that returned without awaiting), else a promise of the
   * rest. Hot path: a ping is served without a promise or microtask.
   */
  #serve(admitted: Admitted, later: readonly string[], arrival: Arrival): Promise<void> | undefined {
    const { request, verified, key } = admitted;
    const security = this.#d.security;
    const target = lookupStage(request, this.#d.agents, this.#d.identity);
    if (target instanceof Refusal) return this.#reply(request, target.status, target.message, noDefaults, undefined);
    const { agent, action } = target;
    const authorized = authorizeStage(request, security?.policies, this.#d.view(), this.#clock());
    if (authorized instanceof Refusal) {
      this.#d.stats.drop(DropReason.Unauthorized);
      this.#audit(request, AuditOutcome.Denied, verified, key, authorized.message);
      this.#warn.warn(DropReason.Unauthorized, `denied ${request.callerid} ${request.agent}#${request.action} (request ${request.id}): ${authorized.message}`);
      return this.#reply(request, authorized.status, authorized.message, action.defaults, undefined);
    }
    // Remembered only once authorized: strangers and denied callers cannot fill the cache.
    const replayed = security ? replayStage(request, security.replay, this.#clock(), effectiveTtl(request, this.#freshness)) : undefined;
    if (replayed) {
      void this.#refuse(replayed, arrival, verified, key);
      return undefined;
    }
    const serving: Serving = { request, agent, action, verified, key, authorized };
    if (later.length > 0) return this.#serveDeferred(serving, later);
    return this.#admit(serving);
  }

  /** The fstat part of the filter (asynchronous), then the rest. */
  async #serveDeferred(serving: Serving, later: readonly string[]): Promise<void> {
    if (!(await matchDeferred(later, this.#d.view(), this.#fstat, this.#match))) {
      this.#d.stats.filtered++;
      this.#d.stats.drop(DropReason.Filtered);
      return;
    }
    await this.#admit(serving);
  }

  /** Validate the inputs and take a slot (now if one is free, else in the queue), then run. */
  #admit(serving: Serving): Promise<void> | undefined {
    const { request, action } = serving;
    this.#d.stats.passed++;
    const input = validateStage(action.ddl, request.data, this.#validate);
    if (input instanceof Refusal) return this.#reply(request, input.status, input.message, action.defaults, undefined);
    const release = this.#semaphore.tryAcquire();
    if (release) return this.#run(serving, input, release);
    if (this.#semaphore.waiting >= this.#maxQueue) {
      this.#d.stats.drop(DropReason.QueueFull);
      this.#warn.warn(DropReason.QueueFull, `refused request ${request.id} (${request.agent}#${request.action}): ${this.#semaphore.waiting} requests already wait for a slot (max_queue)`);
      return this.#reply(request, Status.Aborted, `Request Aborted: node ${this.#d.identity} is busy: ${this.#semaphore.limit} actions running and ${this.#semaphore.waiting} waiting (max_queue); try again later`, action.defaults, undefined);
    }
    return this.#semaphore.acquire().then((queued) => this.#run(serving, input, queued));
  }

  /** Holding a slot: the ttl again, the audit line, the action (released when it ends), the reply. */
  #run(serving: Serving, input: Record<string, unknown>, release: () => void): Promise<void> | undefined {
    const { request, agent, action } = serving;
    let started: ActionOutcome | Promise<ActionOutcome>;
    try {
      // The wait may have outlived the request's ttl: a request is never run after it expired.
      const expired = ttlStage(request, this.#clock(), this.#freshness);
      if (expired) {
        this.#d.stats.drop(DropReason.TtlExpired);
        release();
        return this.#reply(request, Status.Aborted, `Request Aborted: the request expired while waiting for a free slot on ${this.#d.identity} (${expired.detail})`, action.defaults, undefined);
      }
      // The audit line is written before the action runs; if it cannot be written the action does not run.
      if (!this.#audit(request, AuditOutcome.Allowed, serving.verified, serving.key, serving.authorized)) {
        this.#d.stats.drop(DropReason.AuditFailed);
        release();
        return this.#reply(request, Status.Aborted, 'Request Aborted: the node cannot write its audit log, so it runs nothing', action.defaults, undefined);
      }
      const { id, callerid, sender, collective, ttl, time } = request;
      const base = { log: agent.log, node: this.#d.node, request: { id, callerid, sender, agent: agent.name, action: action.ddl.action, collective, ttl, time } };
      started = startDispatch(request.action, action.handler, input, base, { timeoutMs: agent.timeoutMs, shutdown: this.#shutdown.signal });
    } catch (err) {
      release();
      throw err;
    }
    if (!(started instanceof Promise)) {
      release();
      return this.#finish(serving, started);
    }
    return started.then(
      (outcome) => {
        release();
        this.#finish(serving, outcome);
      },
      (err: unknown) => {
        release();
        throw err;
      },
    );
  }

  #finish(serving: Serving, outcome: ActionOutcome): undefined {
    const { request, agent, action } = serving;
    if (outcome.error !== undefined) agent.log.warn(`${agent.name}#${request.action} failed: ${outcome.message}`, { request: request.id });
    return this.#reply(request, outcome.status, outcome.message, action.defaults, outcome.data);
  }

  #reply(request: RequestMessage, status: StatusCode, message: string, defaults: Readonly<Record<string, unknown>>, data: Record<string, unknown> | undefined): undefined {
    const reply = buildReply(request, this.#d.identity, status, message, defaults, data, this.#clock());
    const { bytes } = encodeReply(reply, defaults, this.#d.maxReplyBytes ?? this.#d.maxBytes, this.#d.security?.signer);
    try {
      this.#d.publish(request.reply_to, bytes);
      this.#d.stats.replies++;
    } catch (err) {
      this.#d.stats.drop(DropReason.ReplyFailed);
      this.#warn.warn(DropReason.ReplyFailed, `could not publish the reply to ${request.reply_to}: ${String(err)}`);
    }
    return undefined;
  }
}

/** A request past lookup and authorization, on its way to the action. */
interface Serving {
  readonly request: RequestMessage;
  readonly agent: HostedAgent;
  readonly action: HostedAction;
  readonly verified: boolean;
  readonly key: string | undefined;
  /** The policy line that allowed it (audited). */
  readonly authorized: string | undefined;
}

const done: Promise<void> = Promise.resolve();
