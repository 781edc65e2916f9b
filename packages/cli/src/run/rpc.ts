import { UsageError } from '@cohort/core';
import { parseCount } from '@cohort/client';
import type { RpcOptions } from '@cohort/client';
import { prepareRequest } from '@cohort/client';
import { bool, list, str, type Args } from '../args.js';
import { parseDuration } from '@cohort/client';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { openSession, timeoutArg } from '../session.js';
import { noNodesText, noReplyHint } from './discover.js';
import { discoveryNote } from './discovery-note.js';
import { parseKeyValues } from './inputs.js';
import { replyFilterArg } from './reply-filter.js';
import { RpcPresenter } from './rpc-output.js';
import { markPhase } from '@cohort/client/timing';

/** Request options from the rpc flags, validated (UsageError) before connecting. */
export function requestFlags(argv: Args): Omit<RpcOptions, 'agent' | 'action' | 'data' | 'filter' | 'nodes'> {
  const out: Omit<RpcOptions, 'agent' | 'action' | 'data' | 'filter' | 'nodes'> = {};
  const batch = str(argv, 'batch');
  if (batch !== undefined) {
    parseCount(batch, '--batch');
    out.batch = batch;
  }
  const sleep = str(argv, 'batch-sleep');
  if (sleep !== undefined) out.batchSleep = parseDuration(sleep, 's', '--batch-sleep');
  const limit = bool(argv, 'one') ? '1' : str(argv, 'limit');
  if (limit !== undefined) {
    parseCount(limit, '--limit');
    out.limit = limit;
  }
  const seed = argv['limit-seed'];
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new UsageError(`--limit-seed '${String(seed)}' must be an integer`);
    out.limitSeed = seed;
  }
  const timeout = timeoutArg(argv);
  if (timeout !== undefined) out.timeout = timeout;
  const ttl = argv['ttl'];
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86400) throw new UsageError(`--ttl '${String(ttl)}' must be a whole number of seconds from 1 to 86400`);
    out.ttl = ttl;
  }
  return out;
}

/** `cohort rpc AGENT ACTION key=value...` (or `cohort rpc --retry JOBID`) */
export async function runRpc(argv: Args, io: CliIo): Promise<Outcome> {
  markPhase('command line parsed');
  if (str(argv, 'retry') !== undefined) {
    const { runRetry } = await import('./retry.js');
    return runRetry(argv, io);
  }
  const session = await openSession(argv, io);
  markPhase('session ready (config, DDLs)');
  const agent = str(argv, 'agent') ?? '';
  const actionName = str(argv, 'action') ?? '';
  if (!agent || !actionName) throw new UsageError('give the agent and action to call, e.g. cohort rpc rpcutil ping (or --retry JOBID to repeat a job)');
  if (!session.ddl.has(agent)) {
    const { addPushedDdl } = await import('./pushed-ddl.js');
    await addPushedDdl(argv, session, agent);
  }
  // Everything is checked before connecting: nothing is sent when the call is invalid.
  const prepared = prepareRequest(session.ddl, agent, actionName, { raw: parseKeyValues(list(argv, 'inputs')) });
  const flags = requestFlags(argv);
  const presenter = new RpcPresenter(session, argv, { agent, action: actionName, ddl: prepared.action, filter: replyFilterArg(argv, prepared.action) });
  if (bool(argv, 'async')) {
    if (presenter.mode !== 'text' && presenter.mode !== 'json') throw new UsageError(`--${presenter.mode} cannot be used with --async: it prints the job id; read the replies with cohort job show`);
    if (argv['filter-replies'] !== undefined) throw new UsageError('--filter-replies cannot be used with --async: it prints the job id and exits');
    const { runRpcAsync } = await import('./job-submit.js');
    return runRpcAsync(argv, session, agent, actionName, prepared, flags);
  }
  if (bool(argv, 'record')) {
    const { runRecorded } = await import('./recorded.js');
    return runRecorded(argv, session, presenter, { agent, action: actionName, prepared, flags });
  }
  const jobFlag = ['jobs-max-age', 'jobs-max-bytes', 'jobs-max-messages'].find((f) => argv[f] !== undefined);
  if (jobFlag) throw new UsageError(`--${jobFlag} only applies with --async or --record (it sets the job stream's retention)`);

  markPhase('request validated');
  const client = await session.connect();
  markPhase('connected to NATS');
  try {
    const call = client.rpc({
      ...flags,
      agent,
      action: actionName,
      data: prepared.data,
      filter: session.filter,
      ...(session.nodes ? { nodes: session.nodes } : {}),
      onDiscovery: discoveryNote(session),
    });
    await presenter.start(() => {
      const p = call.progress();
      return p.discovered === 0 ? 'Discovering nodes' : `${p.responded} / ${p.discovered} replies`;
    });
    try {
      for await (const reply of call) {
        markPhase('first reply');
        presenter.offer(reply);
      }
    } finally {
      presenter.stop();
    }
    const stats = await call.stats();
    const outcome = presenter.finish(stats);
    if (stats.discovered === 0) io.stderr.write(`${session.nodes ? 'No nodes to address: the --nodes list is empty' : noNodesText(session)}\n`);
    io.stderr.write(noReplyHint(session, stats));
    return outcome;
  } finally {
    await client.close();
  }
}
