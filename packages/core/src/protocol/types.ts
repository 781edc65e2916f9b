import type { Filter } from '../filter/types.js';
import type { StatusCode } from './status.js';

/**
 * Every envelope carries a versioned type tag in `protocol`. Decoding is an
 * exhaustive switch over these tags; an unknown tag is rejected with a reason.
 */
export const ProtocolTag = {
  Request: 'cohort:request:1',
  Reply: 'cohort:reply:1',
  SecureRequest: 'cohort:secure-request:1',
  SecureReply: 'cohort:secure-reply:1',
} as const;
export type ProtocolTag = (typeof ProtocolTag)[keyof typeof ProtocolTag];

/** A request from a client to nodes. `time` is unix milliseconds; `ttl` seconds. */
export interface RequestMessage {
  protocol: typeof ProtocolTag.Request;
  /** 32 lower-case hex characters, unique per request. */
  id: string;
  /** Identity of the sending client (host or program). */
  sender: string;
  /** Who is asking, `kind=value` (e.g. `user=alice`). */
  callerid: string;
  collective: string;
  agent: string;
  action: string;
  data: Record<string, unknown>;
  filter: Filter;
  ttl: number;
  time: number;
  /** Subject replies go to; private to this request. */
  reply_to: string;
  /**
   * The identities this request is meant for, when the client knows them
   * (direct addressing, --nodes, --batch, --limit, registry discovery).
   * Signed with the rest: a node not listed refuses the request, so a
   * captured request cannot be redirected to other nodes.
   */
  targets?: string[];
}

/** A node's reply to one request. `time` is unix milliseconds. */
export interface ReplyMessage {
  protocol: typeof ProtocolTag.Reply;
  request_id: string;
  /** Identity of the replying node. */
  sender: string;
  agent: string;
  action: string;
  statuscode: StatusCode;
  statusmsg: string;
  data: Record<string, unknown>;
  time: number;
}

/**
 * An issuer-signed certificate binding an Ed25519 public key to a caller id
 * (`kind: caller`) or a node identity (`kind: node`). `certificate` is the
 * exact JSON text of a {@link CertificateBody}; `signature` is the issuer's
 * Ed25519 signature over its UTF-8 bytes (hex). Stored in `NAME.cert` files
 * and carried inside signed envelopes.
 */
export interface CertificateDocument {
  protocol: 'cohort:certificate:1';
  certificate: string;
  signature: string;
}

/** What a certificate says (the parsed `certificate` text). Times are unix ms. */
export interface CertificateBody {
  kind: 'caller' | 'node';
  /** A caller id (`user=alice`) for callers, an identity (`web1`) for nodes. */
  subject: string;
  /** The certified Ed25519 public key, 64 hex characters. */
  public_key: string;
  /** The issuer's public key, 64 hex characters. */
  issuer: string;
  issued_at: number;
  /** Null: does not expire. */
  expires_at: number | null;
}

/**
 * A signed request. `request` is the exact JSON text of a `cohort:request:1`
 * message; `signature` is the caller's Ed25519 signature over its UTF-8 bytes
 * (hex), so every field (time, ttl, filter, agent, action, data, ...) is
 * covered. `public_key` is the signer's key (hex); `certificate`, when
 * present, binds it to the request's callerid through a trusted issuer.
 */
export interface SecureRequestMessage {
  protocol: typeof ProtocolTag.SecureRequest;
  request: string;
  signature: string;
  public_key: string;
  certificate?: CertificateDocument;
}

/** A signed reply: `reply` is the exact JSON text of a `cohort:reply:1` message, signed by the node's key. */
export interface SecureReplyMessage {
  protocol: typeof ProtocolTag.SecureReply;
  reply: string;
  signature: string;
  public_key: string;
  certificate?: CertificateDocument;
}

export type Message = RequestMessage | ReplyMessage | SecureRequestMessage | SecureReplyMessage;
