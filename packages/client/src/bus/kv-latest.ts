import { createInbox, Empty, nuid, type Msg, type NatsConnection } from 'nats';
import { errorMessage } from '@cohort/core';
import type { KvEntry, KvMissing } from '../mine/kv.js';
import { isNoJetStream, noJetStreamReason } from './nats-errors.js';

/**
 * One read of a key-value bucket's latest values (`mine get`, `checks`): what
 * nats.js's `kv.watch()` delivers before its `initializedFn`, in one round trip
 * and without its per-message machinery.
 *
 * nats.js binds the bucket (an account-info request), asks for the stream's
 * status (another), creates an ordered consumer (a third) and then wraps
 * every message in a JsMsg and a KvEntry, parsing the ack subject each time,
 * and hands them over through an async iterator. Here the consumer is created
 * with one request (last value per subject, no acks, flow control) while the
 * values start arriving on a plain subscription; each message's ack subject is
 * read from its end (consumer sequence, timestamp, pending). The read ends
 * when the server says nothing is pending, or when as many values as the
 * consumer's creation reported have arrived, whichever comes first (as
 * nats.js decides it). Flow-control requests are answered, so the server
 * never outruns the connection; a jump in the consumer sequence (a message
 * lost in transit) fails the read instead of returning a partial bucket.
 */

/** The JetStream API's subject prefix (no domain). */
export const apiPrefix = '$JS.API';

/**
 * Reads `$KV.<bucket>.<filter>`'s latest values into `onEntry` (a deleted key's value is undefined); KvMissing when
 * there is no bucket or no JetStream. `inboxPrefix`: the connection's own (a caller may subscribe only under its own:
 * docs/security.md).
 */
export function readKvLatest(nc: NatsConnection, inboxPrefix: string | undefined, bucket: string, filter: string, onEntry: (entry: KvEntry) => void, timeoutMs = 5000): Promise<KvMissing | undefined> {
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  const inbox = createInbox(inboxPrefix);
  // A named consumer created on the API subject that names its filter (nats-server 2.9 and later): what the
  // least-privilege permissions allow a reader (CONSUMER.CREATE.<stream>.>), as nats.js's watch does it.
  const name = namedConsumers(nc) ? nuid.next() : undefined;
  const filterSubject = `${prefix}${filter}`;
  const createSubject = name !== undefined ? `${apiPrefix}.CONSUMER.CREATE.${stream}.${name}.${filterSubject}` : `${apiPrefix}.CONSUMER.CREATE.${stream}`;
  return new Promise<KvMissing | undefined>((resolve, reject) => {
    let received = 0;
    let expected = -1;
    let state: 'reading' | 'closing' | 'done' = 'reading';
    let consumer = '';
    let progress = 0;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const end = (outcome: KvMissing | Error | undefined): void => {
      if (state === 'done') return;
      state = 'done';
      if (watchdog !== undefined) clearTimeout(watchdog);
      sub.unsubscribe();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    // The values are in, by the server's count. A write racing with the read's end can still be on its way: its
    // key's old value is already gone (the bucket keeps one) while the server counted nothing pending. So the
    // consumer is deleted now and values keep being taken until the server confirms that: whatever it queued for
    // us before is ahead of that answer on the connection. (nats.js's watch, as used before, did the same by
    // awaiting the same deletion.)
    const deleteConsumer = (): void => {
      const done = (): void => end(undefined);
      nc.request(`${apiPrefix}.CONSUMER.DELETE.${stream}.${consumer}`, Empty, { timeout: timeoutMs }).then(done, done);
    };
    const complete = (): void => {
      if (state !== 'reading') return;
      state = 'closing';
      // Without the consumer's name yet (values came before the answer to its creation), that answer does it.
      if (consumer !== '') deleteConsumer();
    };
    const onMessage = (msg: Msg): void => {
      if (state === 'done') return;
      const reply = msg.reply;
      if (reply === undefined || !reply.startsWith('$JS.ACK.')) {
        // A flow-control request (answered with an empty message), or an idle heartbeat: nothing to do unless it
        // says the consumer stalled waiting for a flow-control answer that got lost.
        const answerTo = reply !== undefined && reply !== '' ? reply : msg.headers?.get('Nats-Consumer-Stalled');
        if (answerTo !== undefined && answerTo !== '') nc.publish(answerTo, Empty);
        return;
      }
      // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>
      // (newer servers put a domain and an account hash before the stream and a token after pending:
      // the three numbers that matter are found from whichever end is unambiguous).
      const t = reply.split('.');
      const base = t.length === 9 ? 2 : 4;
      const consumerSeq = Number(t[base + 4]);
      const timestamp = t[base + 5] ?? '';
      const pending = Number(t[base + 6]);
      if (consumerSeq !== received + 1) {
        end(new Error(`reading bucket ${bucket}: the server's delivery skipped from value ${received} to ${consumerSeq} (lost in transit); run the command again`));
        return;
      }
      received = consumerSeq;
      const key = msg.subject.startsWith(prefix) ? msg.subject.slice(prefix.length) : msg.subject;
      const operation = msg.headers?.get('KV-Operation') ?? '';
      onEntry({ key, value: operation === 'DEL' || operation === 'PURGE' ? undefined : msg.data, created: timestamp.length > 6 ? Number(timestamp.slice(0, -6)) : 0 });
      if (pending === 0 || (expected >= 0 && received >= expected)) complete();
    };
    const sub = nc.subscribe(inbox, { callback: (err, msg) => (err ? end(new Error(`reading bucket ${bucket}: ${errorMessage(err)}`)) : onMessage(msg)) });
    const stall = (): void => {
      if (state !== 'reading') return;
      if (received === progress) {
        end(new Error(`reading bucket ${bucket}: no value arrived for ${timeoutMs} ms (${received} read${expected >= 0 ? ` of ${expected}` : ''}); is the NATS server overloaded?`));
        return;
      }
      progress = received;
      watchdog = setTimeout(stall, timeoutMs);
    };
    watchdog = setTimeout(stall, timeoutMs);
    const config = {
      deliver_subject: inbox,
      deliver_policy: 'last_per_subject',
      ack_policy: 'none',
      replay_policy: 'instant',
      filter_subject: filterSubject,
      flow_control: true,
      idle_heartbeat: 5_000_000_000,
      inactive_threshold: 10_000_000_000,
      mem_storage: true,
      num_replicas: 1,
      max_deliver: 1,
      ...(name !== undefined ? { name } : {}),
    };
    nc.request(createSubject, JSON.stringify({ stream_name: stream, config }), { timeout: timeoutMs }).then(
      (m) => {
        if (state === 'done') return;
        const answer = parseApiAnswer<ConsumerAnswer>(m.data);
        if (answer.error !== undefined) {
          const { code, description } = answer.error;
          if (code === 404 || /stream not found/i.test(description)) end({ missing: `there is no bucket ${bucket} yet (no node has written to it)` });
          else end(new Error(`reading bucket ${bucket}: the server refused the read: ${description} (${code})`));
          return;
        }
        consumer = answer.name ?? '';
        if (state === 'closing') {
          deleteConsumer();
          return;
        }
        // Values may have arrived before this answer; the consumer had num_pending to deliver after `delivered`.
        expected = (answer.num_pending ?? 0) + (answer.delivered?.consumer_seq ?? 0);
        if (received >= expected) complete();
      },
      (err: unknown) => {
        if (isNoJetStream(err)) end({ missing: noJetStreamReason });
        else end(new Error(`reading bucket ${bucket}: ${errorMessage(err)}`));
      },
    );
  });
}

/** Does the server take a consumer's name and filter in the create subject (nats-server 2.9.0 and later)? */
function namedConsumers(nc: NatsConnection): boolean {
  const m = /^(\d+)\.(\d+)\./.exec(nc.info?.version ?? '');
  return m !== null && (Number(m[1]) > 2 || (Number(m[1]) === 2 && Number(m[2]) >= 9));
}

interface ConsumerAnswer {
  name?: string;
  num_pending?: number;
  delivered?: { consumer_seq?: number };
}

/** What a JetStream API request answers: the answer's fields, or `error` (also for an answer that is not JSON). */
export type ApiAnswer<T> = T & { error?: { code: number; description: string } };

/** Parse a JetStream API answer (see ApiAnswer). */
export function parseApiAnswer<T extends object>(data: Uint8Array): ApiAnswer<T> {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(data));
    if (typeof v === 'object' && v !== null) {
      const a = v as ApiAnswer<T> & { error?: { code?: unknown; description?: unknown } };
      if (a.error !== undefined) return { error: { code: Number(a.error.code), description: String(a.error.description ?? 'unknown error') } } as ApiAnswer<T>;
      return a;
    }
  } catch {
    // fall through
  }
  return { error: { code: 0, description: 'an answer that is not JSON' } } as ApiAnswer<T>;
}
