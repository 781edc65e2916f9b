import { encodeRequest, newRequestId, nodeSubject, type Filter, type Signer } from '@cohort/core';
import type { Bus } from './bus.js';
import { sleep, type Clock } from './clock.js';
import { Collector } from './collect.js';
import { broadcastDiscovery, type DiscoveryRun } from './discovery/broadcast.js';
import { batchTargets, limitTargets, type ParsedCount } from './targets.js';
import type { Reply, RpcCall, RpcStats } from './types.js';
import { markPhase } from './timing.js';
import { buildRequest, publishTargeted, replyOf, subscribeReplies, targetedRequests, withAgent, type TargetedRequests, type Caller, type ReplyCheck, type ReplyVerification } from './wire.js';

/** What one call does, fully resolved (milliseconds, parsed counts, validated data). */
export interface RpcPlan {
  agent: string;
  action: string;
  data: Record<string, unknown>;
  /** The caller's filter; the agent is added to it here. */
  filter: Filter;
  /** Static targets: discovery is skipped. */
  nodes?: readonly string[];
  /**
   * Resolves the targets before anything is sent (registry discovery): a list
   * is addressed as `nodes` is, and the call ends the moment all of them
   * replied; undefined falls back to broadcast discovery.
   */
  targets?: () => Promise<readonly string[] | undefined>;
  batch?: ParsedCount;
  batchSleepMs: number;
  limit?: ParsedCount;
  limitSeed?: number;
  timeoutMs: number;
  ttl: number;
  discoveryTimeoutMs: number;
  discoveryWindowMs: number;
}

export interface RpcDeps {
  bus: Bus;
  clock: Clock;
  caller: Caller;
  /** Signs every request (its subject is the caller id); absent: requests are sent unsigned. */
  signer?: Signer | undefined;
  /** Verify replies: those failing the check are not counted and are listed in `stats.unverified`. */
  verify?: ReplyCheck | undefined;
}

/**
 * Run one RPC call: subscribe to the private reply subject, find the targets
 * (static list, or broadcast discovery), send the request directly to each
 * node subject (one request id for all), and collect replies until every
 * target replied or the timeout passed.
 *
 * Without batch or percentage/seeded limits, discovery is pipelined into the
 * request: each node gets its request the moment it answers discovery, and
 * with `limit N` discovery stops after N nodes.
 */
export function startRpc(deps: RpcDeps, plan: RpcPlan): RpcCall {
  const { bus, clock, caller } = deps;
  const id = newRequestId();
  const started = clock.now();
  const unverified: Array<{ sender: string; reason: string }> = [];
  const verification: ReplyVerification | undefined = deps.verify && {
    check: deps.verify,
    onUnverified: (reply, reason) => void unverified.push({ sender: reply.sender, reason }),
  };
  const filter = withAgent(plan.filter, plan.agent);
  const collector = new Collector<Reply>({ mode: 'expect', timeoutMs: plan.timeoutMs, clock });
  const sentAt = new Map<string, number>();
  let firstSentAt: number | undefined;
  let publishMs = 0;
  let discoveryMs = 0;
  let ok = 0;
  let failed = 0;

  const sub = subscribeReplies(bus, caller, id, (msg) => {
    const now = clock.now();
    const reply = replyOf(msg, now - (sentAt.get(msg.sender) ?? firstSentAt ?? started));
    const got = collector.push(msg.sender, reply);
    if (!got) return;
    reply.unexpected = got.unexpected;
    if (got.unexpected) return;
    if (msg.statuscode === 0) ok++;
    else failed++;
  }, verification);

  // Broadcast discovery's pipelined requests: signed once per call, every node gets the same bytes.
  const encodeNow = (): Uint8Array =>
    encodeRequest(buildRequest(caller, id, { agent: plan.agent, action: plan.action, data: plan.data, filter, ttl: plan.ttl }), deps.signer);

  /** Publish to each node not yet expected: `bytes` for all, or an envelope per group of targets (see targetedRequests). */
  const send = (ids: readonly string[], bytes: Uint8Array | TargetedRequests): void => {
    const t0 = clock.now();
    const first = firstSentAt === undefined;
    firstSentAt ??= t0;
    const fresh = ids.filter((identity) => collector.expect(identity));
    const sent = (identity: string): void => void sentAt.set(identity, clock.now());
    if (bytes instanceof Uint8Array) {
      for (const identity of fresh) {
        sent(identity);
        bus.publish(nodeSubject(caller.collective, identity), bytes);
      }
    } else {
      publishTargeted(bus, caller.collective, fresh, bytes, sent);
    }
    if (first) markPhase('requests published');
    publishMs += clock.now() - t0;
  };

  // The envelopes for a set of targets, made now (a long batched run must not outlive the TTL).
  const targeted = (): TargetedRequests =>
    targetedRequests(caller, id, { agent: plan.agent, action: plan.action, data: plan.data, filter, ttl: plan.ttl }, deps.signer);

  const dispatch = async (ids: readonly string[]): Promise<void> => {
    if (!plan.batch) return send(ids, targeted());
    const groups = batchTargets(ids, plan.batch);
    for (let i = 0; i < groups.length && !collector.ended; i++) {
      const group = groups[i]!;
      // Fresh envelopes per batch: a long batched run must not outlive the TTL.
      send(group, targeted());
      await collector.waitFor(group, plan.timeoutMs);
      if (i < groups.length - 1 && !collector.ended) await sleep(clock, plan.batchSleepMs);
    }
  };

  let discovery: DiscoveryRun | undefined;
  // A call cancelled while still discovering stops discovering too.
  void collector.done.catch(() => undefined).finally(() => discovery?.stop());

  const discoverAndSend = async (): Promise<void> => {
    discovery = broadcastDiscovery(deps, filter, {
      timeoutMs: plan.discoveryTimeoutMs,
      windowMs: plan.discoveryWindowMs,
      ttl: plan.ttl,
    });
    const limit = plan.limit;
    const pipelined = !plan.batch && (!limit || (limit.kind === 'nodes' && plan.limitSeed === undefined));
    const t0 = clock.now();
    if (pipelined) {
      const max = limit?.kind === 'nodes' ? limit.n : Infinity;
      const bytes = encodeNow();
      let count = 0;
      for await (const node of discovery) {
        if (collector.ended) break;
        send([node.identity], bytes);
        if (++count >= max) break;
      }
      discoveryMs = clock.now() - t0;
      return;
    }
    const found: string[] = [];
    for await (const node of discovery) found.push(node.identity);
    discoveryMs = clock.now() - t0;
    await dispatch(limit ? limitTargets(found, limit, plan.limitSeed) : found);
  };

  const run = async (): Promise<void> => {
    let listed = plan.nodes;
    if (!listed && plan.targets) {
      const t0 = clock.now();
      listed = await plan.targets();
      if (listed) discoveryMs = clock.now() - t0;
    }
    if (listed) {
      const ids = plan.limit ? limitTargets(listed, plan.limit, plan.limitSeed) : listed;
      await dispatch(ids);
    } else {
      await discoverAndSend();
    }
    if (firstSentAt !== undefined) {
      const t0 = clock.now();
      await bus.flush();
      publishMs += clock.now() - t0;
    }
    collector.seal();
  };
  run().catch((err: unknown) => collector.fail(err));

  const stats: Promise<RpcStats> = collector.done
    .then((r) => ({
      requestid: id,
      discovered: r.expected.length,
      responded: r.responded.length,
      ok,
      failed,
      no_response: r.noResponse,
      unexpected: r.unexpected,
      discovery_ms: round(discoveryMs),
      publish_ms: round(publishMs),
      agent_ms: firstSentAt === undefined ? 0 : round((r.reason === 'count' ? (r.lastReplyAt ?? r.endedAt) : r.endedAt) - firstSentAt),
      total_ms: round(r.endedAt - started),
      ...(deps.verify ? { unverified } : {}),
    }))
    .finally(() => sub.unsubscribe());
  stats.catch(() => undefined);

  return {
    requestId: id,
    stats: () => stats,
    progress: () => {
      const p = collector.progress();
      return { discovered: p.expected, responded: p.responded };
    },
    cancel: () => collector.close(),
    [Symbol.asyncIterator]: () => {
      const inner = collector[Symbol.asyncIterator]();
      return {
        next: async () => {
          const r = await inner.next();
          return r.done ? { value: undefined, done: true } : { value: r.value.value, done: false };
        },
        return: async () => {
          collector.close();
          return { value: undefined, done: true };
        },
      };
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
