import { encode, encodeSealedReply, errorMessage, ProtocolTag, Status, type ReplyMessage, type RequestMessage, type Signer, type StatusCode } from '@cohort/core';

/** A reply ready to publish. */
export interface EncodedReply {
  readonly reply: ReplyMessage;
  readonly bytes: Uint8Array;
}

/** Build a reply: `data` laid over the action's output defaults. */
export function buildReply(
  request: RequestMessage,
  identity: string,
  status: StatusCode,
  message: string,
  defaults: Readonly<Record<string, unknown>>,
  data: Record<string, unknown> | undefined,
  nowMs: number,
): ReplyMessage {
  return {
    protocol: ProtocolTag.Reply,
    request_id: request.id,
    sender: identity,
    agent: request.agent,
    action: request.action,
    statuscode: status,
    statusmsg: message,
    data: data ? { ...defaults, ...data } : { ...defaults },
    time: nowMs,
  };
}

/**
 * Last stage: serialise a reply. When the action's data cannot be serialised
 * (BigInt, circular references, a throwing toJSON) or the result is larger
 * than `maxBytes` (signed, when a `signer` is given), the reply becomes status
 * 5 with the output defaults, so the caller still learns what happened.
 */
export function encodeReply(reply: ReplyMessage, defaults: Readonly<Record<string, unknown>>, maxBytes: number, signer?: Signer): EncodedReply {
  let problem: string;
  try {
    const bytes = serialise(reply, signer);
    if (bytes.byteLength <= maxBytes) return { reply, bytes };
    problem = `the reply of ${bytes.byteLength} bytes exceeds the ${maxBytes} byte limit`;
  } catch (err) {
    problem = `the action returned data that cannot be serialised to JSON (${errorMessage(err)})`;
  }
  const fallback: ReplyMessage = { ...reply, statuscode: Status.UnknownError, statusmsg: `Unknown error: ${problem}`, data: { ...defaults } };
  return { reply: fallback, bytes: serialise(fallback, signer) };
}

/** With a node key the reply travels inside a signed cohort:secure-reply:1 envelope. */
function serialise(reply: ReplyMessage, signer: Signer | undefined): Uint8Array {
  return signer ? encodeSealedReply(reply, signer) : encode(reply);
}
