import { emptyFilter, encodeRequest, filterSizeProblem, maxSignedTargets, openReply, ProtocolTag, replySubject, UsageError, type Filter, type OpenedReply, type ReplyMessage, type RequestMessage, type Signer } from '@cohort/core';
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
): { groupSize: number; encode(targets: readonly string[]): Uint8Array } {
  const request = buildRequest(caller, id, fields);
  if (signer) return { groupSize: signedGroupSize, encode: (targets) => encodeRequest({ ...request, targets: [...targets] }, signer) };
  // JSON.stringify({ ...request, targets }) is the request's text with `,"targets":[...]` before its closing brace.
  const head = textEncoder.encode(`${JSON.stringify(request).slice(0, -1)},"targets":`);
  return {
    groupSize: 1,
    encode: (targets) => {
      const tail = textEncoder.encode(`${JSON.stringify(targets)}}`);
      const bytes = new Uint8Array(head.length + tail.length);
      bytes.set(head, 0);
      bytes.set(tail, head.length);
      return bytes;
    },
  };
}

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
