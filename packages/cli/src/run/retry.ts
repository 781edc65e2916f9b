import { errorMessage, UsageError } from '@cohort/core';
import { prepareRequest } from '@cohort/client';
import type { JobRecord } from '@cohort/client';
import { JobReplies } from '@cohort/client';
import { bool, list, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession } from '../session.js';
import { jobStoreOf, loadJob, sessionCaller } from './job-common.js';
import { replyFilterArg } from './reply-filter.js';
import { requestFlags } from './rpc.js';
import { RpcPresenter } from './rpc-output.js';

/** Flags that choose nodes or inputs: with --retry those come from the earlier job. */
const notWithRetry = ['with-fact', 'with-class', 'with-identity', 'with-agent', 'with', 'select', 'nodes', 'dm', 'limit', 'one', 'batch'];

/** Which of an earlier job's nodes to send to again. */
export interface RetryTargets {
  /** Nodes that replied with a status other than 0. */
  failed: string[];
  /** Nodes that never replied. */
  noResponse: string[];
}

/** The failed and silent nodes of a job, from its stored replies (first reply per node counts). */
export function retryTargets(record: JobRecord, replies: JobReplies): RetryTargets {
  const failed = replies.replies.filter((r) => !r.unexpected && r.statuscode !== 0).map((r) => r.sender);
  return { failed, noResponse: replies.stats().no_response };
}

/**
 * `cohort rpc --retry JOBID [--failed] [--no-response]`: the same request
 * (agent, action, inputs, filter) as an earlier async or recorded job, sent
 * only to its nodes that failed and/or did not reply (both when neither flag
 * is given), as a new recorded job linked to the old one (`retry_of`). The
 * replies are printed like a normal call (any output flag applies), or with
 * --async the new job's id is printed at once.
 */
export async function runRetry(argv: Args, io: CliIo): Promise<Outcome> {
  const id = str(argv, 'retry') ?? '';
  if (!/^[0-9a-f]{32}$/.test(id)) throw new UsageError(`--retry '${id}' is not a job id: 32 lower-case hex characters, as printed by cohort rpc --async or --record (cohort job list shows them)`);
  if (str(argv, 'agent') !== undefined || list(argv, 'inputs').length > 0) {
    throw new UsageError(`--retry takes the agent, action and inputs from job ${id}: drop '${[str(argv, 'agent'), str(argv, 'action'), ...list(argv, 'inputs')].filter(Boolean).join(' ')}'`);
  }
  const clash = notWithRetry.find((f) => argv[f] !== undefined && argv[f] !== false);
  if (clash) throw new UsageError(`--${clash} cannot be used with --retry: the nodes are those of job ${id} that failed or did not reply`);
  const session = await openSession(argv, io);
  // Syntax first, before connecting; the outputs are checked once the job's action is known.
  replyFilterArg(argv, undefined);
  const only = { failed: bool(argv, 'failed'), noResponse: bool(argv, 'no-response') };
  const both = !only.failed && !only.noResponse;

  const { record, targets } = await readEarlierJob(session, id);
  const nodes = [...(both || only.failed ? targets.failed : []), ...(both || only.noResponse ? targets.noResponse : [])];
  const what = [`${targets.failed.length} failed`, `${targets.noResponse.length} did not reply`].join(', ');
  if (nodes.length === 0) {
    const asked = both ? 'failed or did not reply' : only.failed ? 'failed' : 'did not reply';
    io.stderr.write(`job ${id}: nothing to retry: no node ${asked} (${record.nodes.length} node(s): ${what})\n`);
    return { kind: 'done' };
  }
  // The stored request is checked against today's DDL before anything is sent.
  const prepared = prepareRequest(session.ddl, record.agent, record.action, { data: record.data });
  const flags = { ...requestFlags(argv) };
  flags.ttl ??= record.ttl;
  const retrying = { ...session, nodes, filter: record.filter };
  io.stderr.write(`retrying job ${id} (${record.agent} ${record.action}: ${what}) on ${nodes.length} node(s): ${nodes.join(' ')}\n`);
  if (bool(argv, 'async')) {
    const { runRpcAsync } = await import('./job-submit.js');
    return runRpcAsync(argv, retrying, record.agent, record.action, prepared, flags, id);
  }
  const presenter = new RpcPresenter(retrying, argv, { agent: record.agent, action: record.action, ddl: prepared.action, filter: replyFilterArg(argv, prepared.action) });
  const { runRecorded } = await import('./recorded.js');
  return runRecorded(argv, retrying, presenter, { agent: record.agent, action: record.action, prepared, flags, retryOf: id });
}

/** Load job `id` and its replies; refuse while it may still be running (its silent nodes could yet answer). */
async function readEarlierJob(session: Awaited<ReturnType<typeof openSession>>, id: string): Promise<{ record: JobRecord; targets: RetryTargets }> {
  const bus = await session.openBus();
  try {
    const store = jobStoreOf(bus, session);
    let record: JobRecord;
    try {
      record = await loadJob(store, id, session.collective, sessionCaller(session), session.signer);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`${errorMessage(err)}. Only jobs sent with --async or --record (and retries) are kept: a plain cohort rpc call is not`, { cause: err });
      throw err;
    }
    const deadline = record.time + record.timeout * 1000;
    // Verified replies only: a forged OK reply must not keep a node out of the retry.
    const replies = new JobReplies(record, session.nodeTrust);
    for (const m of await store.replies(id)) replies.push(m.data);
    if (!replies.complete && Date.now() < deadline) {
      throw new UsageError(`job ${id} is still running: its nodes have until ${new Date(deadline).toISOString()} to reply; wait, or follow it with cohort job watch ${id}`);
    }
    return { record, targets: retryTargets(record, replies) };
  } finally {
    await bus.close();
  }
}
