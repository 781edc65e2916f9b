import type { Signer } from '@cohort/core';
import { DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type NatsConnection, type StreamConfig } from 'nats';
import { busInitHint, errorMessage, isPermissionDenied, UsageError } from '@cohort/core';
import { encodeJobFor, type JobRecord } from '../jobs/record.js';
import type { JobRetention } from '../jobs/retention.js';
import type { JobFollow, JobStore, StoredMessage } from '../jobs/store.js';
import { asyncReplySubject, jobIdOfSubject, jobRecordSubject, jobStreamName, jobStreamSubjects } from '@cohort/core';
import { isNoJetStream } from './nats-errors.js';

/**
 * The job stream over NATS JetStream (file storage, limits retention,
 * discard old). Like bus.ts this is NATS-aware; everything else sees JobStore.
 */

const nanos = 1e9;
/** JetStream's duplicate window (ids of recent publishes) may not exceed max_age. */
const duplicateWindowSeconds = 120;

function isMissing(err: unknown): boolean {
  return /stream not found/i.test(errorMessage(err));
}

function jetStreamError(err: unknown, what: string): Error {
  if (isNoJetStream(err)) return new UsageError(`${what}: the NATS server has no JetStream (start it with -js, or jetstream {} in its config); async jobs need it`, { cause: err });
  return err instanceof Error ? err : new Error(`${what}: ${errorMessage(err)}`);
}

function retentionOf(config: StreamConfig): JobRetention {
  return { maxAgeSeconds: Math.round(config.max_age / nanos), maxBytes: config.max_bytes, maxMessages: config.max_msgs };
}

/**
 * The job store of `collective` on this connection, as `callerid` sees it:
 * records and replies are read only under that caller's own prefix (a
 * record or reply stored under another caller's prefix is never read).
 * With `signer` (the caller's key) records are stored signed.
 */
export function natsJobStore(nc: NatsConnection, collective: string, callerid: string, signer?: Signer, timeoutMs = 5000): JobStore {
  const name = jobStreamName(collective);
  const recordsFilter = (id = '*') => jobRecordSubject(collective, callerid, id);
  const repliesFilter = (id = '*') => asyncReplySubject(collective, callerid, id);
  let manager: Promise<JetStreamManager> | undefined;
  const jsm = (): Promise<JetStreamManager> => (manager ??= nc.jetstreamManager({ checkAPI: false, timeout: timeoutMs }));
  const js = () => nc.jetstream({ checkAPI: false, timeout: timeoutMs });

  /** Stored subjects matching `filter` with their message counts ({} when the stream is missing). */
  async function subjects(filter: string): Promise<Record<string, number>> {
    try {
      const info = await (await jsm()).streams.info(name, { subjects_filter: filter });
      return info.state.subjects ?? {};
    } catch (err) {
      if (isMissing(err)) return {};
      throw jetStreamError(err, `reading stream ${name}`);
    }
  }

  /** Every stored message on `filter`, in stream order. */
  async function readAll(filter: string): Promise<StoredMessage[]> {
    const count = Object.values(await subjects(filter)).reduce((a, b) => a + b, 0);
    if (count === 0) return [];
    const consumer = await js().consumers.get(name, { filterSubjects: filter });
    const out: StoredMessage[] = [];
    // Bounded: messages may expire between counting and reading.
    const batch = await consumer.fetch({ max_messages: count, expires: timeoutMs });
    for await (const m of batch) {
      out.push({ seq: m.seq, subject: m.subject, data: m.data });
      if (m.info.pending === 0) break;
    }
    await consumer.delete().catch(() => undefined);
    return out;
  }

  return {
    name,
    async ensure(retention) {
      const limits: Partial<StreamConfig> = {
        max_age: retention.maxAgeSeconds * nanos,
        max_bytes: retention.maxBytes,
        max_msgs: retention.maxMessages,
        duplicate_window: Math.min(duplicateWindowSeconds, retention.maxAgeSeconds) * nanos,
      };
      try {
        const m = await jsm();
        let current: StreamConfig | undefined;
        try {
          current = (await m.streams.info(name)).config;
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
        if (!current) {
          const created = await m.streams
            .add({
            name,
            subjects: jobStreamSubjects(collective),
            retention: RetentionPolicy.Limits,
            storage: StorageType.File,
            discard: DiscardPolicy.Old,
            num_replicas: 1,
            ...limits,
          })
            .catch((err: unknown) => {
              if (!isPermissionDenied(err)) throw err;
              throw new UsageError(
                `the job stream ${name} does not exist and this NATS user may not create it (least-privilege permissions): ${busInitHint}`,
                { cause: err },
              );
            });
          return retentionOf(created.config);
        }
        // A stream made by hand (e.g. with replicas) keeps its settings; only our subjects and limits are added.
        const subjects = [...new Set([...(current.subjects ?? []), ...jobStreamSubjects(collective)])];
        const same =
          current.max_age === limits.max_age && current.max_bytes === limits.max_bytes && current.max_msgs === limits.max_msgs && subjects.length === (current.subjects ?? []).length;
        if (same) return retentionOf(current);
        try {
          const updated = await m.streams.update(name, { ...current, ...limits, subjects });
          return retentionOf(updated.config);
        } catch (err) {
          // A stream an administrator made (cohort bus init) is used as it is by users who may not change it.
          if (isPermissionDenied(err)) return retentionOf(current);
          throw err;
        }
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw jetStreamError(err, `creating stream ${name}`);
      }
    },
    async retention() {
      try {
        return retentionOf((await (await jsm()).streams.info(name)).config);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw jetStreamError(err, `reading stream ${name}`);
      }
    },
    async save(record: JobRecord) {
      if (record.callerid !== callerid) throw new Error(`job ${record.id} is by ${record.callerid}, but this job store is ${callerid}'s`);
      const subject = jobRecordSubject(collective, record.callerid, record.id);
      try {
        await js().publish(subject, encodeJobFor(record, signer), { msgID: `job-${record.id}` });
      } catch (err) {
        const hint = /permission|timeout/i.test(errorMessage(err)) ? ` (may this user publish to ${subject}? see docs/operations.md, Async jobs)` : '';
        throw new Error(`storing job ${record.id} in stream ${name} failed: ${errorMessage(err)}${hint}; nothing was sent to the nodes`, { cause: err });
      }
    },
    async record(id) {
      // The first one: the client stores its record once, before any request is
      // sent, under a random id nobody knows in advance; anything stored under the
      // same subject later was written by someone else.
      const all = await readAll(recordsFilter(id));
      return all[0];
    },
    records: () => readAll(recordsFilter()),
    replies: (id) => readAll(repliesFilter(id)),
    async replyCounts() {
      const counts = new Map<string, number>();
      for (const [subject, n] of Object.entries(await subjects(repliesFilter()))) {
        const id = jobIdOfSubject(subject);
        counts.set(id, (counts.get(id) ?? 0) + n);
      }
      return counts;
    },
    async follow(id, fromSeq, onReply): Promise<JobFollow> {
      const consumer = await js().consumers.get(name, {
        filterSubjects: repliesFilter(id),
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, fromSeq),
      });
      const messages = await consumer.consume();
      const done = (async () => {
        for await (const m of messages) onReply({ seq: m.seq, subject: m.subject, data: m.data });
      })().catch(() => undefined);
      return {
        async stop() {
          await messages.close().catch(() => undefined);
          await done;
          await consumer.delete().catch(() => undefined);
        },
      };
    },
  };
}
