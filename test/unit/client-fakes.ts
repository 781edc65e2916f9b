// Test doubles behind the client's own interfaces (Clock, Bus): a hand-driven
// clock and an in-memory bus with scripted nodes. Not a test file itself.
import {
  decodeRequest,
  encode,
  matchFilter,
  ProtocolTag,
  type Facts,
  type Filter,
  type ReplyMessage,
  type RequestMessage,
  type StatusCode,
} from '@cohort/core';
import type { Bus, Clock } from '@cohort/client';

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  pending(): number {
    return this.timers.size;
  }
  /** Move time forward, firing due timers in order (and letting promise callbacks run between them). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

/** Let queued promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export interface FakeNode {
  identity: string;
  agents?: string[];
  /** Milliseconds (real time) before answering. */
  delay?: number;
  /** Answer direct requests with this status (default 0). */
  status?: StatusCode;
  /** Never answer direct requests (discovery still works). */
  silent?: boolean;
  /** Also answer direct requests as this other identity (an impostor). */
  alsoAs?: string;
  /** Facts (for filters, and rpcutil get_fact / inventory). */
  facts?: Record<string, unknown>;
  /** Classes (for -C and -S filters). */
  classes?: string[];
}

/**
 * An in-memory bus: nodes answer rpcutil pings on the broadcast subject when
 * the request's filter matches them (core's matcher, as cohortd uses it:
 * facts, classes, agents, identities, compound), and answer direct requests
 * on their node subject. Every publish is recorded.
 */
export class FakeBus implements Bus {
  readonly servers = ['fake://'];
  readonly published: Array<{ subject: string; request: RequestMessage; at: number; replySubscribed: boolean }> = [];
  private readonly subs = new Map<string, Set<(data: Uint8Array) => void>>();
  closed = false;
  constructor(private readonly nodes: FakeNode[]) {}

  publish(subject: string, data: Uint8Array): void {
    if (this.closed) throw new Error('bus closed');
    const request = decodeRequest(data);
    this.published.push({ subject, request, at: Date.now(), replySubscribed: (this.subs.get(request.reply_to)?.size ?? 0) > 0 });
    for (const node of this.nodes) {
      const broadcast = subject === `${request.collective}.broadcast.agent.${request.agent}`;
      const direct = subject === `${request.collective}.node.${node.identity}`;
      if (!(broadcast || direct) || !matches(node, request.filter)) continue;
      if (direct && node.silent) continue;
      const status = direct ? (node.status ?? 0) : 0;
      const senders = direct && node.alsoAs ? [node.identity, node.alsoAs] : [node.identity];
      setTimeout(() => {
        for (const sender of senders) this.deliver(request.reply_to, reply(request, sender, status, direct ? answer(node, request) : {}));
      }, node.delay ?? 1);
    }
  }
  subscribe(subject: string, onMessage: (data: Uint8Array) => void) {
    let set = this.subs.get(subject);
    if (!set) this.subs.set(subject, (set = new Set()));
    set.add(onMessage);
    return { unsubscribe: () => set.delete(onMessage) };
  }
  subscriptions(): number {
    let n = 0;
    for (const s of this.subs.values()) n += s.size;
    return n;
  }
  deliver(subject: string, bytes: Uint8Array): void {
    for (const fn of this.subs.get(subject) ?? []) fn(bytes);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {
    this.closed = true;
  }
}

function answer(node: FakeNode, request: RequestMessage): Record<string, unknown> {
  const facts = node.facts ?? {};
  if (request.action === 'get_fact') {
    const fact = String(request.data['fact']);
    return { fact, value: facts[fact] ?? null };
  }
  if (request.action === 'inventory') return { agents: node.agents ?? ['rpcutil'], classes: [], facts };
  return {};
}

function matches(node: FakeNode, filter: Filter): boolean {
  return matchFilter(filter, { identity: node.identity, facts: (node.facts ?? {}) as Facts, classes: node.classes ?? [], agents: node.agents ?? ['rpcutil'] });
}

export function reply(request: RequestMessage, sender: string, status: StatusCode = 0, data: Record<string, unknown> = {}): Uint8Array {
  const msg: ReplyMessage = {
    protocol: ProtocolTag.Reply,
    request_id: request.id,
    sender,
    agent: request.agent,
    action: request.action,
    statuscode: status,
    statusmsg: status === 0 ? 'OK' : 'failed on purpose',
    data: request.action === 'ping' ? { pong: Date.now(), ...data } : data,
    time: Date.now(),
  };
  return encode(msg);
}
