/**
 * Hostile-input generator for the fuzz test: each case is one or more
 * messages for one subject a node listens on, with the outcome the node must
 * reach (the drop reason it counts, or a reply). Pure: no bus, no processes;
 * deterministic for a given random source.
 */
import { encode, encodeRequest, generateKeyPair, createSigner, newRequestId, ProtocolTag, replySubject, type RequestMessage, type Signer } from '@cohort/core';
import { testRequest } from './messages.js';

/** What the node does with a message: the drop reason it counts, `reply` (exactly one reply), or `refused_by_client` (nats.js will not publish it). */
export const FuzzOutcome = {
  Invalid: 'invalid',
  Unsigned: 'unsigned',
  Unverified: 'unverified',
  Misrouted: 'misrouted',
  TtlExpired: 'ttl_expired',
  Filtered: 'filtered',
  Replayed: 'replayed',
  Reply: 'reply',
  RefusedByClient: 'refused_by_client',
} as const;
export type FuzzOutcome = (typeof FuzzOutcome)[keyof typeof FuzzOutcome];

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
  /** Where replies to valid-looking requests go (the test subscribes there). */
  readonly replyTo: string;
}

export interface FuzzMessage {
  readonly subject: string;
  readonly bytes: Uint8Array;
  readonly expect: FuzzOutcome;
}

export interface FuzzCase {
  readonly kind: string;
  readonly messages: readonly FuzzMessage[];
}

type Random = () => number;
type Make = (target: FuzzTarget, ctx: FuzzContext, rnd: Random) => Array<[Uint8Array, FuzzOutcome]>;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const int = (rnd: Random, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const hex = (rnd: Random, n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(rnd, 0, 15)]).join('');
// An untrusted key (one per process is enough: it only has to be unknown to the node).
const stranger = createSigner(generateKeyPair().privateKey, 'user=operator');

/** A request that would run on `target` (rpcutil ping, or an unknown action of the broadcast's agent), replying to ctx.replyTo. */
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
  wrong_agent: (t, c) =>
    t.agent === undefined
      ? [[signed(request(t, c, { agent: 'no_such_agent', action: 'x' }), c), FuzzOutcome.Reply]]
      : [[signed(request(t, c, { agent: t.agent === 'rpcutil' ? 'fuzz_other' : 'rpcutil', action: 'ping' }), c), FuzzOutcome.Misrouted]],
  expired: (t, c, rnd) => [[signed(request(t, c, { ttl: 60, time: Date.now() - int(rnd, 120, 86_400) * 1000 }), c), FuzzOutcome.TtlExpired]],
  from_the_future: (t, c, rnd) => [[signed(request(t, c, { ttl: 60, time: Date.now() + int(rnd, 120, 86_400) * 1000 }), c), FuzzOutcome.TtlExpired]],
  bad_filter: (t, c, rnd) => {
    const filters = [
      { fact: [{ fact: 'no.such.fact', operator: '==', value: 'x' }] },
      { compound: [pick(rnd, ['((((', 'and or not', 'fstat(', 'role=', ')', '!'.repeat(200), 'a'.repeat(5000)])] },
      { cf_class: ['/[/'] },
      { identity: [`not-${c.identity}`] },
      { agent: ['no_such_agent'] },
      { fact: [{ fact: 'role', operator: '=~', value: '(' }] },
    ];
    const filter = { fact: [], cf_class: [], agent: [], identity: [], compound: [], ...pick(rnd, filters) };
    return [[signed(request(t, c, { filter: filter as RequestMessage['filter'] }), c), FuzzOutcome.Filtered]];
  },
  bad_inputs: (t, c, rnd) => {
    if (t.agent !== undefined && t.agent !== 'rpcutil') return [[signed(request(t, c), c), FuzzOutcome.Reply]];
    const data = pick(rnd, [{}, { fact: 5 }, { fact: { a: 1 } }, { fact: 'x'.repeat(int(rnd, 1, 20_000)) }, { fact: 'ok', unknown: true }, { fact: null }]);
    return [[signed(request(t, c, { agent: 'rpcutil', action: 'get_fact', data }), c), FuzzOutcome.Reply]];
  },
  replayed: (t, c) => {
    const once = signed(request(t, c), c);
    // An unknown action is answered at lookup, before authorization and the replay check
    // (issue 12: only authorized requests are remembered), so its duplicate is answered too; nothing runs.
    const unknownAction = t.agent !== undefined && t.agent !== 'rpcutil';
    return [[once, FuzzOutcome.Reply], [once, unknownAction ? FuzzOutcome.Reply : FuzzOutcome.Replayed]];
  },
};

/** A signed-envelope object for `requestText`, with the signer's real signature unless `signature` is given. */
function envelope(signer: Signer, requestText: string, signature?: string): Record<string, unknown> {
  const e: Record<string, unknown> = { protocol: ProtocolTag.SecureRequest, request: requestText, signature: signature ?? signer.sign(requestText), public_key: signer.publicKey };
  if (signer.certificate) e['certificate'] = signer.certificate;
  return e;
}

function nestedData(t: FuzzTarget, c: FuzzContext, rnd: Random): Array<[Uint8Array, FuzzOutcome]> {
  let data: unknown = 1;
  for (let i = int(rnd, 100, 2000); i > 0; i--) data = { a: data };
  return [[signed(request(t, c, { data: { nested: data } }), c), FuzzOutcome.Reply]];
}

/** One random case for a random target. */
export function fuzzCase(targets: readonly FuzzTarget[], ctx: FuzzContext, rnd: Random): FuzzCase {
  const target = pick(rnd, targets);
  const kind = pick(rnd, Object.keys(fuzzKinds));
  const make = fuzzKinds[kind] as Make;
  return { kind, messages: make(target, ctx, rnd).map(([bytes, expect]) => ({ subject: target.subject, bytes, expect })) };
}
