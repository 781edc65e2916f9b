import { UsageError } from '@cohort/core';
import { clientDefaults } from '@cohort/client';
import type { PreparedRequest } from '@cohort/client';
import { JobReplies } from '@cohort/client';
import type { JobRecord } from '@cohort/client';
import type { JobStore } from '@cohort/client';
import { submitJob } from '@cohort/client';
import { parseCount } from '@cohort/client';
import type { Reply, RpcOptions } from '@cohort/client';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { Session } from '../session.js';
import { noNodesText } from './discover.js';
import { discoveryNote } from './discovery-note.js';
import { jobStoreOf } from './job-common.js';
import type { RpcPresenter } from './rpc-output.js';

type RequestFlags = Omit<RpcOptions, 'agent' | 'action' | 'data' | 'filter' | 'nodes'>;

/** What a recorded call sends. */
export interface RecordedCall {
  agent: string;
  action: string;
  prepared: PreparedRequest;
  flags: RequestFlags;
  /** Set by --retry: the job this call repeats. */
  retryOf?: string;
}

/**
 * `cohort rpc ... --record` (and `--retry`): a call that is also a job. It is
 * sent exactly as `--async` sends it (job record stored first, replies kept
 * by the NATS server in the job stream), then its replies are read back from
 * the stream as they arrive and printed like a normal call, until every node
 * replied or the job's timeout passed. Because the job is stored, `cohort job
 * show` can print it again later and `cohort rpc --retry` can repeat it.
 */
export async function runRecorded(argv: Args, session: Session, presenter: RpcPresenter, call: RecordedCall): Promise<Outcome> {
  const { io } = session;
  const { flags, prepared } = call;
  if (flags.batch !== undefined) throw new UsageError('--batch cannot be used with --record or --retry: a recorded call is sent as one job');
  const retention = session.config.jobs;
  const bus = await session.openBus();
  const client = await session.connect(bus);
  try {
    const store = jobStoreOf(bus, session);
    const sent = await submitJob(
      { client, bus, store, signer: session.signer, onDiscovery: discoveryNote(session) },
      {
        agent: call.agent,
        action: call.action,
        data: prepared.data,
        filter: session.filter,
        ...(session.nodes ? { nodes: session.nodes } : {}),
        discoveryMethod: session.discoveryMethod,
        ...(flags.limit !== undefined ? { limit: parseCount(flags.limit, '--limit') } : {}),
        ...(flags.limitSeed !== undefined ? { limitSeed: flags.limitSeed } : {}),
        ttl: flags.ttl ?? clientDefaults.ttl,
        timeout: flags.timeout ?? prepared.ddl.metadata.timeout + clientDefaults.timeoutMargin,
        retention,
        ...(call.retryOf !== undefined ? { retryOf: call.retryOf } : {}),
      },
    );
    if (!sent) {
      io.stderr.write(`${session.nodes ? 'No nodes to address: the --nodes list is empty' : noNodesText(session)}\n`);
      return { kind: 'found', count: 0 };
    }
    const { record } = sent;
    const retry = record.retry_of ? ` (retry of job ${record.retry_of})` : '';
    io.stderr.write(`job ${record.id}${retry}: ${call.agent} ${call.action} sent to ${record.nodes.length} node(s), recorded in stream ${sent.stream}: cohort job show ${record.id}\n`);
    const replies = new JobReplies(record, session.nodeTrust);
    await presenter.start(() => `${replies.stats().responded} / ${record.nodes.length} replies`);
    try {
      await followJob(store, record, replies, (reply) => presenter.offer(reply));
    } finally {
      presenter.stop();
    }
    // The wall time of the call, as a normal call reports it (the job's stats only know the replies' times).
    const stats = { ...replies.stats(), total_ms: Date.now() - record.time };
    return presenter.finish(stats, { job: { id: record.id, ...(record.retry_of ? { retry_of: record.retry_of } : {}) } });
  } finally {
    await client.close();
  }
}

/**
 * Read a job's replies from the stream (stored ones first, then live) into
 * `replies`, handing each of the job's replies to `onReply`, until every node
 * replied or the job's deadline (sent + timeout) passed.
 */
export async function followJob(store: JobStore, record: JobRecord, replies: JobReplies, onReply: (reply: Reply) => void): Promise<void> {
  const waitMs = Math.max(0, record.time + record.timeout * 1000 - Date.now());
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(() => finish(), waitMs);
  const follow = await store.follow(record.id, 1, (m) => {
    const reply = replies.push(m.data);
    if (reply) onReply(reply);
    if (replies.complete) finish();
  });
  try {
    await done;
  } finally {
    clearTimeout(timer);
    await follow.stop();
  }
}
