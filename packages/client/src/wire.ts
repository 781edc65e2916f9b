import { emptyFilter, encodeRequest, filterSizeProblem, maxSignedTargets, nodeSubject, openReply, ProtocolTag, replySubject, UsageError, type Filter, type OpenedReply, type ReplyMessage, type RequestMessage, type Signer } from '@cohort/core';
import type { Bus, BusSubscription } from './bus.js';
import type { Reply } from './types.js';

/** Who is asking and where: fixed per client. */
export interface Caller {
  collective: string;
  /** `kind=value`, e.g. `user=alice`. */
  callerid: string;
  /** This client's identity (hostname by default). */
  sender: string;
}

/** A complete wire filter from a partial one (missing kinds are empty). */
export function completeFilter(filter: Partial<Filter> | undefined): Filter {
  const f = emptyFilter();
  if (!filter) return f;
  return {
    fact: [...(filter.fact ?? f.fact)],
    cf_class: [...(filter.cf_class ?? f.cf_class)],
    agent: [...(filter.agent ?? f.agent)],
    identity: [...(filter.identity ?? f.identity)],
    compound: [...(filter.compound ?? f.compound)],
  };
}

/** The filter with `agent` required (as MCollective's RPC client always adds its own agent). */
export function withAgent(filter: Filter, agent: string): Filter {
  return filter.agent.includes(agent) ? filter : { ...filter, agent: [...filter.agent, agent] };
}

/**
 * Build a request envelope; `time` is now (unix ms). `targets`, when the
 * caller knows exactly which nodes it addresses, is signed into the request
 * so no other node will run it (omitted above maxSignedTargets identities).
 * Throws UsageError when the filter is over the size limits nodes enforce.
 */
export function buildRequest(
  caller: Caller,
  id: string,
  fields: { agent: string; action: string; data: Record<string, unknown>; filter: Filter; ttl: number; targets?: readonly string[] | undefined },
): RequestMessage {
  const problem = filterSizeProblem(fields.filter);
  if (problem !== undefined) throw new UsageError(`${problem}: nodes refuse such filters; narrow it down`);
  const targets = fields.targets && fields.targets.length > 0 && fields.targets.length <= maxSignedTargets ? { targets: [...new Set(fields.targets)] } : {};
  return {
    protocol: ProtocolTag.Request,
    id,
    sender: caller.sender,
    callerid: caller.callerid,
    collective: caller.collective,
    agent: fields.agent,
    action: fields.action,
    data: fields.data,
    filter: fields.filter,
    ttl: fields.ttl,
    time: Date.now(),
    reply_to: replySubject(caller.collective, caller.callerid, id),
    ...targets,
  };
}

/** One request's envelopes for groups of its targets (see targetedRequests). */
export interface TargetedRequests {
  /** The request without targets. */
  readonly request: RequestMessage;
  /** How many targets share an envelope. */
  readonly groupSize: number;
  /** The envelope naming these targets. */
  encode(targets: readonly string[]): Uint8Array;
}

/**
 * Publish the request to each of `identities` (node subjects), an envelope
 * per group of them; `onPublish` is told each identity just before.
 */
export function publishTargeted(bus: Bus, collective: string, identities: Iterable<string>, envelopes: TargetedRequests, onPublish?: (identity: string) => void): void {
  const group: string[] = [];
  const flush = (): void => {
    const data = envelopes.encode(group);
    for (const identity of group) {
      onPublish?.(identity);
      bus.publish(nodeSubject(collective, identity), data);
    }
    group.length = 0;
  };
  for (const identity of identities) {
    group.push(identity);
    if (group.length >= envelopes.groupSize) flush();
  }
  if (group.length > 0) flush();
}

/** Targets per envelope when requests are signed: one signature per this many nodes. */
export const signedGroupSize = 32;

/**
 * The one request of a call, encoded for groups of the nodes it is sent to:
 * each group's envelope names just that group in `targets` (so a node not
 * in it refuses the envelope, as with the whole list), rather than every
 * envelope carrying all N identities (N requests of N names each: 12 MB per
 * call at 1,000 nodes, parsed and checked by every node). `groupSize` says
 * how many nodes share an envelope: 1 unsigned (the envelope is the same
 * bytes but for the name, spliced in), {@link signedGroupSize} signed (one
 * signature per group). The request's `time` is now. Throws UsageError as
 * {@link buildRequest}.
 */
export function targetedRequests(
  caller: Caller,
  id: string,
  fields: { agent: string; action: string; data: Record<string, unknown>; filter: Filter; ttl: number },
  signer: Signer | undefined,
  /** Replies go here instead of the call's reply subject (async jobs). */
  replyTo?: string,
): TargetedRequests {
  const built = buildRequest(caller, id, fields);
  const request: RequestMessage = replyTo === undefined ? built : { ...built, reply_to: replyTo };
  if (signer) return { request, groupSize: signedGroupSize, encode: (targets) => encodeRequest({ ...request, targets: [...targets] }, signer) };
  // JSON.stringify({ ...request, targets }) is the request's text with `,"targets":[...]` before its closing brace.
  const head = textEncoder.encode(`${JSON.stringify(request).slice(0, -1)},"targets":`);
  // Envelopes are cut from shared slabs: one allocation for many nodes rather than one (or two) per node.
  let slab = new Uint8Array(0);
  let used = 0;
  return {
    request,
    groupSize: 1,
    encode: (targets) => {
      const tail = `${JSON.stringify(targets)}}`;
      const room = head.length + tail.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
      if (slab.length - used < room) {
        slab = new Uint8Array(Math.max(room, slabBytes));
        used = 0;
      }
      const start = used;
      slab.set(head, start);
      used = start + head.length;
      used += textEncoder.encodeInto(tail, slab.subarray(used)).written;
      return slab.subarray(start, used);
    },
  };
}

/** Size of the slabs unsigned envelopes are cut from (about 200 ping requests). */
const slabBytes = 64 * 1024;
const textEncoder = new TextEncoder();

/**
 * Checks a reply's signature and signer (see `--verify-replies`): undefined
 * when it verifies, else the reason it does not.
 */
export type ReplyCheck = (opened: OpenedReply) => string | undefined;

/** What to do with replies that fail the {@link ReplyCheck}. */
export interface ReplyVerification {
  check: ReplyCheck;
  /** Told about each reply that failed the check (it is not handed to `onReply`). */
  onUnverified(reply: ReplyMessage, reason: string): void;
}

/**
 * Subscribe to the private reply subject of request `id` and hand every valid
 * reply to that request to `onReply` (signed replies are unwrapped). Invalid
 * or foreign messages are dropped (counted in `dropped()`): a broken node
 * must not break the client. With `verification`, replies that do not verify
 * go to its `onUnverified` instead.
 */
export function subscribeReplies(
  bus: Bus,
  caller: Caller,
  id: string,
  onReply: (reply: ReplyMessage) => void,
  verification?: ReplyVerification,
): BusSubscription & { dropped(): number } {
  let dropped = 0;
  const sub = bus.subscribe(replySubject(caller.collective, caller.callerid, id), (bytes) => {
    let opened: OpenedReply;
    try {
      opened = openReply(bytes);
    } catch {
      dropped++;
      return;
    }
    const reply = opened.reply;
    if (reply.request_id !== id) {
      dropped++;
      return;
    }
    const problem = verification?.check(opened);
    if (problem !== undefined) verification?.onUnverified(reply, problem);
    else onReply(reply);
  });
  return { unsubscribe: () => sub.unsubscribe(), dropped: () => dropped };
}

/** A node's reply message as the caller sees it, `elapsed_ms` after the request went out. */
export function replyOf(msg: ReplyMessage, elapsedMs: number, unexpected = false): Reply {
  const { sender, agent, action, statuscode, statusmsg, data, time } = msg;
  return { sender, agent, action, statuscode, statusmsg, data, time, elapsed_ms: elapsedMs, unexpected };
}
