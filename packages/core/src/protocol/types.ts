import type { Filter } from '../filter/types.js';
import type { StatusCode } from './status.js';

/**
 * Every envelope carries a versioned type tag in `protocol`. Decoding is an
 * exhaustive switch over these tags; an unknown tag is rejected with a reason.
 */
export const ProtocolTag = {
  Request: 'cohort:request:1',
  Reply: 'cohort:reply:1',
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

export type Message = RequestMessage | ReplyMessage;
