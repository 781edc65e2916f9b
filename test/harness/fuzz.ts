/**
 * Hostile-input generator for the fuzz test: each case is one or more
 * messages for one subject a node listens on, with the outcome the node must
 * reach (the drop reason it counts, or a reply). Pure: no bus, no processes;
 * deterministic for a given random source.
 *
 * The predictions follow the node's order of checks (packages/server/src/processor.ts):
 *   decode + verify (invalid, unsigned, unverified) -> route (misrouted)
 *   -> filter size (filter_too_large) -> reply_to (foreign_reply_to: only the
 *   caller's own reply subject for the request) -> targets (not_targeted)
 *   -> ttl (bad_time: too far in the future; ttl_expired) -> filter without
 *   fstat (filtered) -> lookup (unknown agent/action: answered, not passed)
 *   -> authorize -> replay (replayed; only requests that got this far are
 *   remembered) -> filter with fstat (filtered) -> passed -> validate / run
 *   (answered).
 * A message with several faults gets the outcome of the first check it fails.
 */
import { encode, encodeRequest, generateKeyPair, createSigner, newRequestId, ProtocolTag, replySubject, type RequestMessage, type Signer } from '@cohort/core';
import { testRequest } from './messages.js';

/**
 * What the node does with a message: the drop reason it counts, `reply`
 * (passed every check; exactly one reply), `unknown_target` (an unknown agent
 * or action: exactly one reply, without passing), or `refused_by_client`
 * (nats.js will not publish it).
 */
export const FuzzOutcome = {
  Invalid: 'invalid',
  Unsigned: 'unsigned',
  Unverified: 'unverified',
  Misrouted: 'misrouted',
  FilterTooLarge: 'filter_too_large',
  ForeignReplyTo: 'foreign_reply_to',
  NotTargeted: 'not_targeted',
  BadTime: 'bad_time',
  TtlExpired: 'ttl_expired',
  Filtered: 'filtered',
  Replayed: 'replayed',
  Reply: 'reply',
  UnknownTarget: 'unknown_target',
  RefusedByClient: 'refused_by_client',
} as const;
export type FuzzOutcome = (typeof FuzzOutcome)[keyof typeof FuzzOutcome];

/** Outcomes that get exactly one reply, on the request's reply_to. */
export const answered: ReadonlySet<FuzzOutcome> = new Set([FuzzOutcome.Reply, FuzzOutcome.UnknownTarget]);

/** Drop reasons the node counts for a message that gets no reply (the outcomes of that name). */
export const dropOutcomes: readonly FuzzOutcome[] = [
  FuzzOutcome.Invalid,
  FuzzOutcome.Unsigned,
  FuzzOutcome.Unverified,
  FuzzOutcome.Misrouted,
  FuzzOutcome.FilterTooLarge,
  FuzzOutcome.ForeignReplyTo,
  FuzzOutcome.NotTargeted,
  FuzzOutcome.BadTime,
  FuzzOutcome.TtlExpired,
  FuzzOutcome.Filtered,
  FuzzOutcome.Replayed,
];

/** A subject the node listens on, and what arrives there. */
export interface FuzzTarget {
  readonly subject: string;
  readonly collective: string;
  /** The agent of a broadcast subject; undefined for the node subject. */
  readonly agent: string | undefined;
}

export interface FuzzContext {
  readonly identity: string;
  /** A key the node trusts (signed requests get past verification). */
  readonly signer: Signer;
  /** The node's max_message_bytes. */
  readonly maxBytes: number;
  /** The NATS server's max_payload. */
  readonly maxPayload: number;
  /** The node's security.max_clock_skew, seconds (requests further in the future are bad_time). */
  readonly maxClockSkew: number;
}

export interface FuzzMessage {
  readonly subject: string;
  readonly bytes: Uint8Array;
  readonly expect: FuzzOutcome;
  /** Where the reply goes, for outcomes that are answered (`answered`). */
  readonly replyTo?: string;
}

export interface FuzzCase {
  readonly kind: string;
  readonly messages: readonly FuzzMessage[];
}

type Random = () => number;
/** One message: its bytes, the outcome, and the reply subject when it is answered. */
type Sent = [Uint8Array, FuzzOutcome] | [Uint8Array, FuzzOutcome, string];
type Make = (target: FuzzTarget, ctx: FuzzContext, rnd: Random) => Sent[];

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const int = (rnd: Random, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const hex = (rnd: Random, n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(rnd, 0, 15)]).join('');
// An untrusted key (one per process is enough: it only has to be unknown to the node).
const stranger = createSigner(generateKeyPair().privateKey, 'user=operator');

/** A request that would run on `target` (rpcutil ping, or an unknown action of the broadcast's agent), replying on the caller's own subject. */
function request(target: FuzzTarget, ctx: FuzzContext, fields: Partial<RequestMessage> = {}): RequestMessage {
  const agent = target.agent ?? 'rpcutil';
  // Nodes reply only on the caller's own reply subject (<collective>.reply.<md5(callerid)>.<id>).
  const id = fields.id ?? newRequestId();
  return testRequest({
    id,
    callerid: ctx.signer.subject,
    collective: target.collective,
    agent,
    action: agent === 'rpcutil' ? 'ping' : 'fuzz_no_such_action',
    reply_to: replySubject(target.collective, ctx.signer.subject, id),
    ...fields,
  });
}

const signed = (r: RequestMessage, ctx: FuzzContext): Uint8Array => encodeRequest(r, ctx.signer);

/** Does `target` run the request `request()` makes (rpcutil ping), or answer it as an unknown action? */
const runs = (t: FuzzTarget): boolean => t.agent === undefined || t.agent === 'rpcutil';

/** A signed request that gets past every check before the lookup: answered, as passed (ping) or unknown action. */
function answeredRequest(t: FuzzTarget, c: FuzzContext, fields: Partial<RequestMessage> = {}): Sent {
  const r = request(t, c, fields);
  return [signed(r, c), runs(t) ? FuzzOutcome.Reply : FuzzOutcome.UnknownTarget, r.reply_to];
}

/** A time outside the request's 60 s ttl: in the past (ttl_expired) or beyond the clock skew allowed (bad_time). */
function staleTime(c: FuzzContext, rnd: Random): { time: number; outcome: FuzzOutcome } {
  if (rnd() < 0.5) return { time: Date.now() - int(rnd, 120, 86_400) * 1000, outcome: FuzzOutcome.TtlExpired };
  return { time: Date.now() + int(rnd, Math.max(120, c.maxClockSkew + 60), 86_400) * 1000, outcome: FuzzOutcome.BadTime };
}

/** A filter that never matches the fuzz node (evaluated before the lookup). */
function unmatchedFilter(c: FuzzContext, rnd: Random): RequestMessage['filter'] {
  const filters = [
    { fact: [{ fact: 'no.such.fact', operator: '==', value: 'x' }] },
    { compound: [pick(rnd, ['((((', 'and or not', 'role=', ')', '!'.repeat(200), 'role=nobody'])] },
    { cf_class: ['/[/'] },
    { identity: [`not-${c.identity}`] },
    { agent: ['no_such_agent'] },
    { fact: [{ fact: 'role', operator: '=~', value: '(' }] },
  ];
  return { fact: [], cf_class: [], agent: [], identity: [], compound: [], ...pick(rnd, filters) } as RequestMessage['filter'];
}

/** A filter over the size limits (core filterLimits): refused before anything else about the request is looked at. */
function oversizeFilter(rnd: Random): RequestMessage['filter'] {
  const f = { fact: [], cf_class: [], agent: [], identity: [], compound: [] } as { -readonly [K in keyof RequestMessage['filter']]: RequestMessage['filter'][K] };
  const which = int(rnd, 0, 2);
  if (which === 0) f.compound = ['a'.repeat(int(rnd, 4097, 8000))];
  else if (which === 1) f.cf_class = Array.from({ length: int(rnd, 65, 100) }, (_, i) => `c${i}`);
  else f.identity = ['x'.repeat(int(rnd, 1025, 4000))];
  return f;
}

/** Reply subjects a node must not publish to (the caller's subject is only the one for this request id). */
function foreignReplyTo(t: FuzzTarget, c: FuzzContext, id: string, rnd: Random): string {
  return pick(rnd, [
    `$KV.cohort_registry_${t.collective}.${c.identity}`,
    '$JS.API.STREAM.DELETE.cohort_jobs_cohort',
    replySubject(t.collective, 'user=someone_else', id),
    replySubject(t.collective, c.signer.subject, newRequestId()),
    replySubject(t.collective === 'cohort' ? 'fuzzland' : 'cohort', c.signer.subject, id),
    `${replySubject(t.collective, c.signer.subject, id)}.more`,
    `_INBOX.${hex(rnd, 22)}`,
  ]);
}

/** Deep nesting: `[[[...]]]` or `{"a":{"a":...}}`, within `maxChars`. */
function deep(rnd: Random, maxChars: number): string {
  const array = rnd() < 0.5;
  const depth = int(rnd, 100, Math.max(100, Math.floor(maxChars / (array ? 2 : 6))));
  return array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const wrongTypes: ReadonlyArray<[keyof RequestMessage, unknown]> = [
  ['ttl', '60'], ['ttl', 1.5], ['ttl', -1], ['id', 123], ['id', 'not-a-hex-id'], ['data', []], ['data', 'x'], ['filter', 'x'],
  ['filter', { fact: 'x' }], ['time', 'now'], ['agent', 5], ['agent', 'Bad Agent'], ['reply_to', 'a b'], ['reply_to', 'x.>'],
  ['callerid', {}], ['callerid', 'nobody'], ['collective', null], ['sender', ''], ['action', ['ping']],
];
const protocols = ['cohort:request:2', 'cohort:request:0', 'choria:request:1', '', 'COHORT:REQUEST:1', ProtocolTag.Reply, ProtocolTag.SecureReply, 7];

/** The case kinds, each a generator of messages for one target. */
export const fuzzKinds: Readonly<Record<string, Make>> = {
  random_bytes: (_t, _c, rnd) => [[Uint8Array.from({ length: int(rnd, 0, 2048) }, () => int(rnd, 0, 255)), FuzzOutcome.Invalid]],
  random_text: (_t, _c, rnd) => [[text(Array.from({ length: int(rnd, 0, 512) }, () => String.fromCharCode(int(rnd, 32, 126))).join('')), FuzzOutcome.Invalid]],
  truncated_json: (t, c, rnd) => {
    const whole = rnd() < 0.5 ? signed(request(t, c), c) : encode(request(t, c));
    return [[whole.slice(0, int(rnd, 0, whole.length - 1)), FuzzOutcome.Invalid]];
  },
  deeply_nested_json: (_t, c, rnd) => [[text(deep(rnd, c.maxBytes)), FuzzOutcome.Invalid]],
  // Nesting inside a field the schema leaves open: decodes, verifies, and gets a reply (unknown input or unknown action).
  deeply_nested_data: (t, c, rnd) => nestedData(t, c, rnd),
  oversize: (t, c, rnd) => {
    const size = int(rnd, c.maxBytes + 1, Math.min(c.maxPayload - 4096, c.maxBytes * 4));
    const r = request(t, c, { data: { pad: 'x'.repeat(size) } });
    return [[signed(r, c), FuzzOutcome.Invalid]];
  },
  over_max_payload: (_t, c, rnd) => [[new Uint8Array(c.maxPayload + int(rnd, 1, 4096)), FuzzOutcome.RefusedByClient]],
  wrong_protocol: (t, c, rnd) => [[text(JSON.stringify({ ...request(t, c), protocol: pick(rnd, protocols) })), FuzzOutcome.Invalid]],
  wrong_type: (t, c, rnd) => {
    const [field, value] = pick(rnd, wrongTypes);
    const body = JSON.stringify({ ...request(t, c), [field]: value });
    return [[rnd() < 0.5 ? text(body) : text(JSON.stringify(envelope(c.signer, body))), FuzzOutcome.Invalid]];
  },
  missing_field: (t, c, rnd) => {
    const r: Record<string, unknown> = { ...request(t, c) };
    delete r[pick(rnd, Object.keys(r))];
    return [[text(JSON.stringify(r)), FuzzOutcome.Invalid]];
  },
  not_an_object: (_t, _c, rnd) => [[text(pick(rnd, ['null', '1', '"x"', '[]', 'true', '[{"protocol":"cohort:request:1"}]', ''])), FuzzOutcome.Invalid]],
  unsigned: (t, c) => [[encode(request(t, c)), FuzzOutcome.Unsigned]],
  garbage_signature: (t, c, rnd) => [[text(JSON.stringify(envelope(c.signer, JSON.stringify(request(t, c)), hex(rnd, 128)))), FuzzOutcome.Unverified]],
  untrusted_key: (t, c) => [[signed(request(t, c), { ...c, signer: stranger }), FuzzOutcome.Unverified]],
  garbage_envelope: (_t, c, rnd) => {
    const inner = pick(rnd, ['{}', '{"protocol":"cohort:request:1"}', 'not json', '[1,2]', deep(rnd, 4096)]);
    return [[text(JSON.stringify(envelope(c.signer, inner))), FuzzOutcome.Invalid]];
  },
  malformed_envelope: (t, c, rnd) => {
    const e: Record<string, unknown> = envelope(c.signer, JSON.stringify(request(t, c)));
    const field = pick(rnd, ['signature', 'public_key', 'request']);
    e[field] = pick(rnd, [5, 'zz', '', null, { x: 1 }]);
    return [[text(JSON.stringify(e)), FuzzOutcome.Invalid]];
  },
  wrong_collective: (t, c) => [[signed(request(t, c, { collective: 'elsewhere' }), c), FuzzOutcome.Misrouted]],
  // On the node subject an unknown agent is answered (status 2); on a broadcast it is misrouted.
  wrong_agent: (t, c) => {
    if (t.agent !== undefined) return [[signed(request(t, c, { agent: t.agent === 'rpcutil' ? 'fuzz_other' : 'rpcutil', action: 'ping' }), c), FuzzOutcome.Misrouted]];
    const r = request(t, c, { agent: 'no_such_agent', action: 'x' });
    return [[signed(r, c), FuzzOutcome.UnknownTarget, r.reply_to]];
  },
  expired: (t, c, rnd) => [[signed(request(t, c, { ttl: 60, time: Date.now() - int(rnd, 120, 86_400) * 1000 }), c), FuzzOutcome.TtlExpired]],
  from_the_future: (t, c, rnd) => [
    [signed(request(t, c, { ttl: 60, time: Date.now() + int(rnd, Math.max(120, c.maxClockSkew + 60), 86_400) * 1000 }), c), FuzzOutcome.BadTime],
  ],
  // A filter the node cannot match (bad syntax, bad regex, another node): dropped silently, before the lookup.
  bad_filter: (t, c, rnd) => [[signed(request(t, c, { filter: unmatchedFilter(c, rnd) }), c), FuzzOutcome.Filtered]],
  // fstat() is evaluated only after the lookup, authorization and the replay check: an unknown action is
  // answered first; a ping is remembered, then filtered out, so its duplicate is a replay.
  fstat_filter: (t, c, rnd) => {
    const matches = rnd() < 0.3;
    const compound = matches
      ? pick(rnd, ["fstat('/etc').type=directory", "fstat('/etc/fuzz-no-such-file').present=false"])
      : pick(rnd, ['fstat(', "fstat('/etc/fuzz-no-such-file').present=true", "fstat('/proc/self/environ').size>0", 'fstat(x', "fstat('/etc').type=file"]);
    const r = request(t, c, { filter: { fact: [], cf_class: [], agent: [], identity: [], compound: [compound] } });
    const once = signed(r, c);
    if (!runs(t)) return [[once, FuzzOutcome.UnknownTarget, r.reply_to], [once, FuzzOutcome.UnknownTarget, r.reply_to]];
    return [matches ? [once, FuzzOutcome.Reply, r.reply_to] : [once, FuzzOutcome.Filtered], [once, FuzzOutcome.Replayed]];
  },
  oversize_filter: (t, c, rnd) => {
    // The filter's size is checked before reply_to, targets and ttl.
    const r = request(t, c, { filter: oversizeFilter(rnd), ...(rnd() < 0.5 ? { time: staleTime(c, rnd).time } : {}) });
    const other = rnd() < 0.5 ? { reply_to: foreignReplyTo(t, c, r.id, rnd) } : {};
    return [[signed({ ...r, ...other }, c), FuzzOutcome.FilterTooLarge]];
  },
  // A reply_to that is not the caller's own subject for this request: refused before targets, ttl and filter.
  foreign_reply_to: (t, c, rnd) => {
    const id = newRequestId();
    const extra = pick(rnd, [{}, { time: staleTime(c, rnd).time }, { filter: unmatchedFilter(c, rnd) }, { targets: ['someone-else'] }]);
    return [[signed(request(t, c, { id, reply_to: foreignReplyTo(t, c, id, rnd), ...extra }), c), FuzzOutcome.ForeignReplyTo]];
  },
  // A request signed for other nodes: refused before ttl and filter; one naming this node is served.
  not_targeted: (t, c, rnd) => {
    if (rnd() < 0.3) return [answeredRequest(t, c, { targets: ['someone-else', c.identity] })];
    const extra = pick(rnd, [{}, { time: staleTime(c, rnd).time }, { filter: unmatchedFilter(c, rnd) }]);
    return [[signed(request(t, c, { targets: ['someone-else', `not-${c.identity}`], ...extra }), c), FuzzOutcome.NotTargeted]];
  },
  // Stale and filtered out: the ttl is checked first.
  stale_filtered: (t, c, rnd) => {
    const { time, outcome } = staleTime(c, rnd);
    return [[signed(request(t, c, { time, filter: unmatchedFilter(c, rnd) }), c), outcome]];
  },
  bad_inputs: (t, c, rnd) => {
    if (!runs(t)) return [answeredRequest(t, c)];
    const data = pick(rnd, [{}, { fact: 5 }, { fact: { a: 1 } }, { fact: 'x'.repeat(int(rnd, 1, 20_000)) }, { fact: 'ok', unknown: true }, { fact: null }]);
    return [answeredRequest(t, c, { agent: 'rpcutil', action: 'get_fact', data })];
  },
  replayed: (t, c) => {
    const [once, outcome, replyTo] = answeredRequest(t, c) as [Uint8Array, FuzzOutcome, string];
    // An unknown action is answered at lookup, before authorization and the replay check
    // (issue 12: only authorized requests are remembered), so its duplicate is answered too; nothing runs.
    return [[once, outcome, replyTo], outcome === FuzzOutcome.UnknownTarget ? [once, outcome, replyTo] : [once, FuzzOutcome.Replayed]];
  },
  // A request filtered out is not remembered: its duplicate is filtered out again, not a replay.
  replayed_filtered: (t, c, rnd) => {
    const once = signed(request(t, c, { filter: unmatchedFilter(c, rnd) }), c);
    return [[once, FuzzOutcome.Filtered], [once, FuzzOutcome.Filtered]];
  },
};

/** A signed-envelope object for `requestText`, with the signer's real signature unless `signature` is given. */
function envelope(signer: Signer, requestText: string, signature?: string): Record<string, unknown> {
  const e: Record<string, unknown> = { protocol: ProtocolTag.SecureRequest, request: requestText, signature: signature ?? signer.sign(requestText), public_key: signer.publicKey };
  if (signer.certificate) e['certificate'] = signer.certificate;
  return e;
}

function nestedData(t: FuzzTarget, c: FuzzContext, rnd: Random): Sent[] {
  let data: unknown = 1;
  for (let i = int(rnd, 100, 2000); i > 0; i--) data = { a: data };
  return [answeredRequest(t, c, { data: { nested: data } })];
}

/** One random case for a random target. */
export function fuzzCase(targets: readonly FuzzTarget[], ctx: FuzzContext, rnd: Random): FuzzCase {
  const target = pick(rnd, targets);
  const kind = pick(rnd, Object.keys(fuzzKinds));
  const make = fuzzKinds[kind] as Make;
  return { kind, messages: make(target, ctx, rnd).map(([bytes, expect, replyTo]) => ({ subject: target.subject, bytes, expect, ...(replyTo ? { replyTo } : {}) })) };
}
