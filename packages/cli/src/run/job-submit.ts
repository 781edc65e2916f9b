import { UsageError } from '@cohort/core';
import { clientDefaults } from '@cohort/client';
import type { PreparedRequest } from '@cohort/client';
import { submitJob } from '@cohort/client';
import { describeRetention } from '@cohort/client';
import { parseCount } from '@cohort/client';
import type { RpcOptions } from '@cohort/client';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import { stringifyJson } from '../render/json.js';
import type { Session } from '../session.js';
import { noNodesText } from './discover.js';
import { discoveryNote } from './discovery-note.js';
import { jobStoreOf } from './job-common.js';

type RequestFlags = Omit<RpcOptions, 'agent' | 'action' | 'data' | 'filter' | 'nodes'>;

/**
 * `cohort rpc AGENT ACTION ... --async`: send the request as a job whose
 * replies the NATS server keeps, print the job id at once and exit.
 */
export async function runRpcAsync(argv: Args, session: Session, agent: string, actionName: string, prepared: PreparedRequest, flags: RequestFlags, retryOf?: string): Promise<Outcome> {
  const { io } = session;
  if (flags.batch !== undefined) {
    throw new UsageError('--batch cannot be used with --async: batches wait for the previous batch\'s replies; drop --batch, or run without --async');
  }
  const retention = session.config.jobs;
  const bus = await session.openBus();
  const client = await session.connect(bus);
  try {
    const sent = await submitJob(
      { client, bus, store: jobStoreOf(bus, session), signer: session.signer, onDiscovery: discoveryNote(session) },
      {
        agent,
        action: actionName,
        data: prepared.data,
        filter: session.filter,
        ...(session.nodes ? { nodes: session.nodes } : {}),
        discoveryMethod: session.discoveryMethod,
        ...(flags.limit !== undefined ? { limit: parseCount(flags.limit, '--limit') } : {}),
        ...(flags.limitSeed !== undefined ? { limitSeed: flags.limitSeed } : {}),
        ttl: flags.ttl ?? clientDefaults.ttl,
        timeout: flags.timeout ?? prepared.ddl.metadata.timeout + clientDefaults.timeoutMargin,
        retention,
        ...(retryOf !== undefined ? { retryOf } : {}),
      },
    );
    if (!sent) {
      io.stderr.write(`${session.nodes ? 'No nodes to address: the --nodes list is empty' : noNodesText(session)}\n`);
      return { kind: 'found', count: 0 };
    }
    const { record, stream } = sent;
    if (session.json) {
      io.stdout.write(stringifyJson({ job: record, stream, retention: sent.retention }, io.stdout.isTTY));
    } else {
      io.stdout.write(`${record.id}\n`);
      io.stderr.write(
        `job ${record.id}: ${agent} ${actionName} sent to ${record.nodes.length} node(s); replies are kept in stream ${stream} ` +
          `(${describeRetention(sent.retention)}): cohort job watch ${record.id}\n`,
      );
    }
    return { kind: 'done' };
  } finally {
    await client.close();
  }
}
