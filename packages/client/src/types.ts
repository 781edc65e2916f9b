import type { Filter, StatusCode } from '@cohort/core';
import type { DiscoveryDecision, DiscoveryMethod } from './discovery/method.js';

/** One node's reply, as yielded by an RPC call. */
export interface Reply<D = Record<string, unknown>> {
  sender: string;
  agent: string;
  action: string;
  statuscode: StatusCode;
  statusmsg: string;
  data: D;
  /** The node's timestamp on the reply (unix ms). */
  time: number;
  /** Milliseconds from sending the request to this node to receiving its reply. */
  elapsed_ms: number;
  /** True when the sender was not addressed by this call, or had already replied. Such replies count in `stats.unexpected` only. */
  unexpected: boolean;
}

/** Final statistics of one RPC call (field names as in the CLI's `--json` output). */
export interface RpcStats {
  requestid: string;
  /** Nodes addressed (after discovery, `--nodes`, and limit). */
  discovered: number;
  /** Addressed nodes that replied. */
  responded: number;
  /** Replies with status 0. */
  ok: number;
  /** Replies with another status. */
  failed: number;
  /** Addressed nodes that did not reply in time, in the order they were addressed. */
  no_response: string[];
  /** Senders that replied without being addressed (or replied twice). */
  unexpected: string[];
  /** Time spent discovering (0 when discovery was skipped); overlaps the agent time when pipelined. */
  discovery_ms: number;
  /** Time spent handing requests to NATS, including the final flush. */
  publish_ms: number;
  /** From the first request sent to the last reply received (or the end). */
  agent_ms: number;
  /** From the start of the call to its end. */
  total_ms: number;
  /**
   * Only when verifying replies (`verifyReplies`): replies whose signature or
   * signer did not check out. They are not counted above (their sender is
   * listed in no_response unless a verified reply also came).
   */
  unverified?: Array<{ sender: string; reason: string }>;
}

/** A count given as a number of nodes or as a percentage of those discovered (`"10"`, `10`, `"25%"`). */
export type Count = number | string;

/** Options shared by everything that discovers nodes. Durations in seconds. */
export interface DiscoveryOptions {
  /** Give up discovering after this many seconds (default 2). */
  timeout?: number;
  /** End discovery once no new node answered for this many seconds after the first (default 0.3; 0 waits the full timeout). */
  window?: number;
}

/** One RPC call. Durations in seconds. */
export interface RpcOptions<I extends object = Record<string, unknown>> {
  agent: string;
  action: string;
  /** Typed inputs; validated against the DDL (defaults applied) before anything is sent. */
  data?: I;
  /** Discovery filter (wire form; build it from CLI-style strings with `buildFilter`). The agent is added automatically. */
  filter?: Partial<Filter>;
  /** Address exactly these identities: discovery is skipped. */
  nodes?: readonly string[];
  /** Send to this many nodes at a time (`N` or `N%` of discovered, rounded up). */
  batch?: Count;
  /** Seconds to sleep between batches (default 1). */
  batchSleep?: number;
  /** Address only this many of the discovered nodes (`N` or `N%`, rounded up). */
  limit?: Count;
  /** With `limit`: pick a deterministic pseudo-random subset using this seed (default: the first discovered). */
  limitSeed?: number;
  /** Seconds to wait for replies (default: the DDL's timeout + 2). */
  timeout?: number;
  /** Seconds the request stays valid (default 60). */
  ttl?: number;
  discoveryTimeout?: number;
  discoveryWindow?: number;
  /** `auto` (default: the registry when fresh, else broadcast), `broadcast` or `registry`. Ignored with `nodes`. */
  discoveryMethod?: DiscoveryMethod;
  /** Told which discovery ran and why (e.g. the fstat fallback), before anything is sent. */
  onDiscovery?: (decision: DiscoveryDecision) => void;
}

/**
 * A running RPC call: iterate it for replies as they arrive (once), then
 * `await call.stats()`. The call runs whether or not it is iterated.
 */
export interface RpcCall<D = Record<string, unknown>> extends AsyncIterable<Reply<D>> {
  readonly requestId: string;
  /** Resolves once the call has ended (all replied, timeout, or cancelled). */
  stats(): Promise<RpcStats>;
  /** How many nodes are addressed so far and how many replied (for progress display). */
  progress(): { discovered: number; responded: number };
  /** Stop waiting for replies now. */
  cancel(): void;
}

/** A node's answer to a discovery ping. */
export interface PingReply {
  sender: string;
  /** Round trip in milliseconds. */
  elapsed_ms: number;
}
