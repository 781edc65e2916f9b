import { broadcastSubject, encodeRequest, newRequestId, type Filter, type Signer } from '@cohort/core';
import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import { Collector } from '../collect.js';
import { buildRequest, subscribeReplies, type Caller, type ReplyCheck } from '../wire.js';

/** A node that answered the discovery ping. */
export interface DiscoveredNode {
  identity: string;
  /** Round trip of the ping in milliseconds. */
  elapsed_ms: number;
}

export interface BroadcastDiscoveryOptions {
  /** End after this many milliseconds. */
  timeoutMs: number;
  /** End once no new node answered for this many milliseconds after the first (0: wait the full timeout). */
  windowMs: number;
  /** Request TTL in seconds. */
  ttl: number;
}

/** A discovery in progress: iterate it for nodes as they answer; `stop()` or breaking out ends it. */
export interface DiscoveryRun extends AsyncIterable<DiscoveredNode> {
  readonly requestId: string;
  stop(): void;
  /** Resolves when discovery ended, with who answered and how long it took. */
  readonly done: Promise<DiscoverySummary>;
}

/** The outcome of one discovery. */
export interface DiscoverySummary {
  /** Identities in the order they answered. */
  nodes: string[];
  discovery_ms: number;
}

/**
 * Broadcast discovery: one rpcutil `ping` on `<collective>.broadcast.agent.rpcutil`
 * carrying the filter (signed when the deps hold a signer); every matching
 * node answers. The reply subscription is made before the ping is published.
 */
export function broadcastDiscovery(
  deps: { bus: Bus; clock: Clock; caller: Caller; signer?: Signer | undefined; verify?: ReplyCheck | undefined },
  filter: Filter,
  options: BroadcastDiscoveryOptions,
): DiscoveryRun {
  const { bus, clock, caller } = deps;
  const id = newRequestId();
  const collector = new Collector<number>({ mode: 'open', timeoutMs: options.timeoutMs, stallMs: options.windowMs, clock });
  // With reply verification, answers that do not verify are ignored: a forged answer must not add a node.
  const verification = deps.verify && { check: deps.verify, onUnverified: () => undefined };
  const sub = subscribeReplies(bus, caller, id, (reply) => collector.push(reply.sender, clock.now()), verification);
  const done = collector.done.then(
    (r) => ({ nodes: r.responded, discovery_ms: r.endedAt - r.startedAt }),
    (err: unknown) => Promise.reject(err),
  );
  done.catch(() => undefined).finally(() => sub.unsubscribe());
  const request = buildRequest(caller, id, { agent: 'rpcutil', action: 'ping', data: {}, filter, ttl: options.ttl });
  const sentAt = clock.now();
  try {
    bus.publish(broadcastSubject(caller.collective, 'rpcutil'), encodeRequest(request, deps.signer));
  } catch (err) {
    collector.fail(err);
  }
  return {
    requestId: id,
    stop: () => collector.close(),
    done,
    [Symbol.asyncIterator]: () => {
      const inner = collector[Symbol.asyncIterator]();
      return {
        next: async () => {
          const r = await inner.next();
          if (r.done) return { value: undefined, done: true };
          return { value: { identity: r.value.sender, elapsed_ms: r.value.value - sentAt }, done: false };
        },
        return: async () => {
          collector.close();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
