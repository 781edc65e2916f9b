import type { NatsConnection } from 'nats';

/** The part of nats.js's connection internals this module relies on. */
interface InboundHandler {
  processMsg(msg: { subject?: Uint8Array }, data: Uint8Array): void;
}

/**
 * Handle each inbound message on its own, so one bad message cannot stop the
 * connection from reading.
 *
 * nats.js runs subscription callbacks inside its socket reader. An exception
 * thrown there ends the reader for good: the connection stays up but delivers
 * nothing more until the server drops it as stale (minutes). Anyone who can
 * publish to one of the node's own inboxes can cause one: a JetStream
 * consumer's bookkeeping (the mine's key-value watch) throws `not js
 * message` on a message that did not come from JetStream. So a message whose
 * handling throws is dropped and reported to `onError`, and the reader goes on.
 *
 * Throws when the nats.js internals are not what this expects (a nats upgrade
 * must revisit this).
 */
export function isolateInboundErrors(nc: NatsConnection, onError: (subject: string, err: unknown) => void): void {
  const protocol = (nc as unknown as { protocol?: Partial<InboundHandler> }).protocol;
  const original = protocol?.processMsg;
  if (protocol === undefined || typeof original !== 'function') {
    throw new Error('nats.js internals changed: the connection has no protocol.processMsg to guard (see packages/server/src/bus/isolate.ts)');
  }
  const decoder = new TextDecoder();
  protocol.processMsg = function (this: InboundHandler, msg, data) {
    try {
      original.call(this, msg, data);
    } catch (err) {
      onError(msg.subject ? decoder.decode(msg.subject) : '(unknown subject)', err);
    }
  };
}
