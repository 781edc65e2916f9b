import { DeliverPolicy, type NatsConnection } from 'nats';
import { errorMessage } from '@cohort/core';
import type { BucketMissing } from './kv.js';
import { isNoJetStream, noJetStreamReason } from './nats-errors.js';

/**
 * Following a JetStream stream live (the check events) over NATS. Like
 * bus.ts this is NATS-aware; everything else sees StreamMessage/StreamFollow.
 */

/** One message of a stream. */
export interface StreamMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Stream sequence. */
  readonly seq: number;
  /** When the server stored it, unix ms. */
  readonly time: number;
}

export interface StreamFollow {
  stop(): Promise<void>;
}

export interface FollowOptions {
  /** Start with the messages stored since this time (unix ms); default: only messages stored from now on. */
  sinceMs?: number;
  timeoutMs?: number;
}

/**
 * Follow `stream` (messages on `filter`) with an ordered consumer: ephemeral,
 * in memory, no acks, recreated by the library if a message is missed; it
 * consumes nothing another reader would miss. Resolves once the consumer
 * exists (so every message stored after that is delivered), or with
 * BucketMissing when the stream or JetStream is missing.
 */
export async function followNatsStream(nc: NatsConnection, stream: string, filter: string, onMessage: (m: StreamMessage) => void, options: FollowOptions = {}): Promise<StreamFollow | BucketMissing> {
  const timeout = options.timeoutMs ?? 5000;
  try {
    await (await nc.jetstreamManager({ checkAPI: false, timeout })).streams.info(stream);
  } catch (err) {
    if (isNoJetStream(err)) return { missing: noJetStreamReason };
    if (/not found/i.test(errorMessage(err))) return { missing: `there is no stream ${stream}` };
    throw err;
  }
  const since = options.sinceMs;
  const consumer = await nc.jetstream({ checkAPI: false, timeout }).consumers.get(stream, {
    filterSubjects: filter,
    ...(since === undefined ? { deliver_policy: DeliverPolicy.New } : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(since).toISOString() }),
  });
  const messages = await consumer.consume({ max_messages: 256, expires: 30_000 });
  const done = (async () => {
    for await (const m of messages) onMessage({ subject: m.subject, data: m.data, seq: m.seq, time: Math.floor(m.info.timestampNanos / 1e6) });
  })().catch(() => undefined);
  return {
    async stop() {
      await messages.close().catch(() => undefined);
      await done;
    },
  };
}
