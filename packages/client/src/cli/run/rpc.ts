import { UsageError } from '@cohort/core';
import { parseCount } from '../../targets.js';
import type { Reply, RpcOptions } from '../../types.js';
import { prepareRequest } from '../../ddl.js';
import { bool, list, str, type Args } from '../args.js';
import { parseDuration } from '../duration.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { startProgress } from '../progress.js';
import { renderFooter, renderSummaries } from '../render/footer.js';
import { rpcJson, stringifyJson } from '../render/json.js';
import { displayMode, renderReply, shouldShow } from '../render/reply.js';
import { openSession, timeoutArg } from '../session.js';
import { noNodesText } from './discover.js';
import { discoveryNote } from './discovery-note.js';
import { parseKeyValues } from './inputs.js';
import { safeSummaries } from './summaries.js';
import { markPhase } from '../../timing.js';

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

/** `cohort rpc AGENT ACTION key=value...` */
export async function runRpc(argv: Args, io: CliIo): Promise<Outcome> {
  markPhase('command line parsed');
  const session = await openSession(argv, io);
  markPhase('session ready (config, DDLs)');
  const agent = str(argv, 'agent') ?? '';
  const actionName = str(argv, 'action') ?? '';
  // Everything is checked before connecting: nothing is sent when the call is invalid.
  const prepared = prepareRequest(session.ddl, agent, actionName, { raw: parseKeyValues(list(argv, 'inputs')) });
  const flags = requestFlags(argv);
  const mode = displayMode(str(argv, 'display'), prepared.action);
  const width = io.stdout.columns ?? 80;
  if (bool(argv, 'async')) {
    const { runRpcAsync } = await import('./job-submit.js');
    return runRpcAsync(argv, session, agent, actionName, prepared, flags);
  }
  const jobFlag = ['jobs-max-age', 'jobs-max-bytes', 'jobs-max-messages'].find((f) => argv[f] !== undefined);
  if (jobFlag) throw new UsageError(`--${jobFlag} only applies with --async (it sets the job stream's retention)`);

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
    const progress = await startProgress(io, session.progress, () => {
      const p = call.progress();
      return p.discovered === 0 ? 'Discovering nodes' : `${p.responded} / ${p.discovered} replies`;
    });
    const replies: Reply[] = [];
    try {
      for await (const reply of call) {
        markPhase('first reply');
        replies.push(reply);
        if (!session.json && shouldShow(mode, reply.statuscode)) {
          const text = renderReply(reply, prepared.action, { width, colour: session.colour }).join('\n');
          progress.around(() => io.stdout.write(`${text}\n`));
        }
      }
    } finally {
      progress.stop();
    }
    const stats = await call.stats();
    const summaries = safeSummaries(prepared.action, replies.filter((r) => !r.unexpected), io);
    if (session.json) {
      io.stdout.write(stringifyJson(rpcJson(agent, actionName, replies, stats, summaries), io.stdout.isTTY));
    } else if (stats.discovered > 0) {
      const lines = [...renderSummaries(summaries), ...renderFooter(stats, { colour: session.colour, width, verbose: session.verbose })];
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    if (stats.discovered === 0) io.stderr.write(`${session.nodes ? 'No nodes to address: the --nodes list is empty' : noNodesText(session)}\n`);
    return { kind: 'rpc', stats };
  } finally {
    await client.close();
  }
}
