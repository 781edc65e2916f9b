import { errorMessage, UsageError, type DdlAction, type Signer } from '@cohort/core';
import { defaultCallerId } from '@cohort/client';
import type { Bus } from '@cohort/client';
import { requireAction } from '@cohort/client';
import { decodeOwnJob, type JobRecord } from '@cohort/client';
import { JobReplies } from '@cohort/client';
import { describeRetention } from '@cohort/client';
import type { JobStore } from '@cohort/client';
import type { Reply } from '@cohort/client';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import { renderFooter, renderSummaries } from '../render/footer.js';
import { rpcJson, stringifyJson } from '../render/json.js';
import { displayMode, renderReply, shouldShow } from '../render/reply.js';
import type { CliIo } from '../io.js';
import { openSession, type Session } from '../session.js';
import { retriesOf } from './job-links.js';
import { safeSummaries } from './summaries.js';

/** The caller id this session acts as: the signing key's, else the config's, else user=<login>. */
export function sessionCaller(session: Session): string {
  return session.signer?.subject ?? session.config.callerid ?? defaultCallerId(session.io.env);
}

/** The job store of the session's collective on `bus`, as the session's caller sees it (UsageError when the bus has none). */
export function jobStoreOf(bus: Bus, session: Session): JobStore {
  if (!bus.jobs) throw new UsageError('this connection has no JetStream job store: async jobs need a NATS server with JetStream');
  return bus.jobs(session.collective, sessionCaller(session), session.signer);
}

/** Check a job id as typed (UsageError naming it). */
export function jobIdArg(argv: Args): string {
  const id = str(argv, 'id') ?? '';
  if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError(`job id '${id}' is not valid: 32 lower-case hex characters, as printed by cohort rpc --async (cohort job list shows them)`);
  return id;
}

/** The stored record of job `id`, sent by `callerid` (UsageError saying why it is not there). */
export async function loadJob(store: JobStore, id: string, collective: string, callerid: string, signer?: Signer): Promise<JobRecord> {
  const stored = await store.record(id);
  if (!stored) {
    const retention = await store.retention();
    throw new UsageError(
      retention
        ? `no job ${id} of ${callerid} in stream ${store.name}: it has expired (${describeRetention(retention)}), was sent by another caller, or to another collective than ${collective} (use -T); cohort job list shows your jobs kept`
        : `no job ${id}: there is no job stream ${store.name}, so no job was sent with --async in collective ${collective} (use -T for another collective)`,
    );
  }
  const record = decodeOwnJob(stored.data, `job ${id} in stream ${store.name}`, signer);
  // Read from our own prefix, so these hold unless the record itself lies.
  if (record.id !== id || record.callerid !== callerid || record.collective !== collective) {
    throw new UsageError(`job ${id} in stream ${store.name} is not a record of ${callerid}'s job ${id} in ${collective} (it says ${record.callerid}, ${record.id}, ${record.collective}); not used`);
  }
  return record;
}

/** The action's DDL, for rendering and summaries; undefined (with a note) when the client has no DDL for it. */
export function jobAction(session: Session, record: JobRecord): DdlAction | undefined {
  try {
    return requireAction(session.ddl.get(record.agent), record.action);
  } catch (err) {
    if (!session.json) session.io.stderr.write(`cohort: note: replies shown without the ${record.agent} DDL (${errorMessage(err)}); give --ddl-dir for summaries\n`);
    return undefined;
  }
}

/** One line describing a job. */
export function jobHeader(record: JobRecord, retriedBy: readonly string[] = []): string {
  const links = [...(record.retry_of ? [`\nRetry of job ${record.retry_of}`] : []), ...(retriedBy.length ? [`\nRetried by job ${retriedBy.join(', ')}`] : [])];
  return `Job ${record.id}: ${record.agent} ${record.action} by ${record.callerid}@${record.sender} at ${new Date(record.time).toISOString()}, ${record.nodes.length} node(s) (${record.discovery})${links.join('')}`;
}

/** Prints each reply as the rpc command does (text mode, per the display policy); nothing with --json. */
export function replyPrinter(argv: Args, session: Session, action: DdlAction | undefined): (reply: Reply) => void {
  const mode = displayMode(str(argv, 'display'), action);
  const width = session.io.stdout.columns ?? 80;
  return (reply) => {
    if (session.json || !shouldShow(mode, reply.statuscode)) return;
    session.io.stdout.write(`${renderReply(reply, action, { width, colour: session.colour }).join('\n')}\n`);
  };
}

/** Print the summaries and footer (or the JSON document) of a job's replies so far. */
export function finishJob(session: Session, record: JobRecord, progress: JobReplies, action: DdlAction | undefined): Outcome {
  const { io } = session;
  const stats = progress.stats();
  const summaries = action ? safeSummaries(action, progress.replies.filter((r) => !r.unexpected), io) : [];
  if (session.json) {
    io.stdout.write(stringifyJson({ job: record, ...rpcJson(record.agent, record.action, progress.replies, stats, summaries) }, io.stdout.isTTY));
  } else {
    const lines = [...renderSummaries(summaries), ...renderFooter(stats, { colour: session.colour, width: io.stdout.columns ?? 80, verbose: session.verbose })];
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return { kind: 'rpc', stats };
}

/** A job opened for reading: `take` decodes a stored reply, counts it and prints it. */
export interface OpenJob {
  id: string;
  store: JobStore;
  record: JobRecord;
  progress: JobReplies;
  take(data: Uint8Array): void;
}

/**
 * Open the job named on the command line (session, bus, record), print its
 * header, run `read` to take its replies, then print the summary and return
 * the outcome. The bus is closed whatever happens.
 */
export async function withJob(argv: Args, io: CliIo, read: (job: OpenJob) => Promise<void>): Promise<Outcome> {
  const session = await openSession(argv, io);
  const id = jobIdArg(argv);
  const bus = await session.openBus();
  try {
    const store = jobStoreOf(bus, session);
    const loaded = await loadJob(store, id, session.collective, sessionCaller(session), session.signer);
    const retriedBy = await retriesOf(store, id, session.signer);
    const record = retriedBy.length ? { ...loaded, retried_by: retriedBy } : loaded;
    const action = jobAction(session, record);
    if (!session.json) io.stdout.write(`${jobHeader(record, retriedBy)}\n\n`);
    if (!session.nodeTrust && !session.json) {
      io.stderr.write('cohort: note: replies are not verified: no trusted node keys (issuers or node_keys_dir in the client config, --issuer FILE, or a key certified by the issuer)\n');
    }
    const print = replyPrinter(argv, session, action);
    const progress = new JobReplies(record, session.nodeTrust);
    const take = (data: Uint8Array): void => {
      const reply = progress.push(data);
      if (reply) print(reply);
    };
    await read({ id, store, record, progress, take });
    return finishJob(session, record, progress, action);
  } finally {
    await bus.close();
  }
}
