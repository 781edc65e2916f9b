import { newRequestId, plainIdentities, type Filter, type Signer } from '@cohort/core';
import type { Bus } from '../bus.js';
import type { Client } from '../client.js';
import type { DiscoveryDecision, DiscoveryMethod } from '../discovery/method.js';
import { limitTargets, type ParsedCount } from '../targets.js';
import { completeFilter, publishTargeted, targetedRequests, withAgent } from '../wire.js';
import type { JobDiscovery, JobRecord } from './record.js';
import type { JobRetention } from './retention.js';
import type { JobStore } from './store.js';
import { asyncReplySubject } from '@cohort/core';

/** One async job to submit; `data` is already validated against the DDL (prepareRequest). */
export interface JobSubmission {
  agent: string;
  action: string;
  data: Record<string, unknown>;
  filter?: Partial<Filter>;
  /** Static targets: discovery is skipped. */
  nodes?: readonly string[];
  discoveryMethod?: DiscoveryMethod;
  limit?: ParsedCount;
  limitSeed?: number;
  /** Seconds. */
  ttl: number;
  /** Seconds the nodes may take (recorded: the default wait of `cohort job watch`). */
  timeout: number;
  retention: JobRetention;
  /** The job this one repeats (`cohort rpc --retry`), kept in the record. */
  retryOf?: string;
}

export interface JobDeps {
  /** Discovery (registry or broadcast) and the caller. */
  client: Client;
  /** The same connection the client uses: requests are published here. */
  bus: Bus;
  store: JobStore;
  signer?: Signer | undefined;
  /** Told how the nodes were found (registry or broadcast, and why). */
  onDiscovery?: ((decision: DiscoveryDecision) => void) | undefined;
}

/** A job sent: its record, and the stream and retention its replies are kept under. */
export interface JobSubmitted {
  record: JobRecord;
  stream: string;
  retention: JobRetention;
}

/**
 * Submit an async job: make sure the job stream exists with the retention
 * asked for (before anything is sent, so no reply can be missed), find the
 * nodes, store the job's record, then send the request to every node with
 * the stream-captured reply subject as `reply_to`, and flush. Resolves with
 * the record once the server has everything; the replies land in the stream
 * whether or not this process is still alive. Undefined when no node matched
 * (nothing stored, nothing sent).
 */
export async function submitJob(deps: JobDeps, job: JobSubmission): Promise<JobSubmitted | undefined> {
  const { client, bus, store } = deps;
  const caller = client.caller;
  const retention = await store.ensure(job.retention);
  const given = completeFilter(job.filter);
  const filter = withAgent(given, job.agent);
  let discovery: JobDiscovery = 'nodes';
  // As client.rpc: plain identities (-I web1) are addressed without discovery.
  let nodes = job.nodes ?? plainIdentities(given);
  if (!nodes) {
    const decision = await client.planDiscovery(filter, job.discoveryMethod);
    deps.onDiscovery?.(decision);
    discovery = decision.method === 'registry' ? 'registry' : 'broadcast';
    nodes = decision.method === 'registry' ? decision.identities : await client.discover(filter);
  }
  const targets = [...new Set(job.limit ? limitTargets(nodes, job.limit, job.limitSeed) : nodes)];
  if (targets.length === 0) return undefined;

  const id = newRequestId();
  // Each node's envelope names just its group of targets (see targetedRequests).
  const envelopes = targetedRequests(caller, id, { agent: job.agent, action: job.action, data: job.data, filter, ttl: job.ttl }, deps.signer, asyncReplySubject(caller.collective, caller.callerid, id));
  const request = envelopes.request;
  const record: JobRecord = {
    protocol: 'cohort:job:1',
    id,
    collective: caller.collective,
    callerid: caller.callerid,
    sender: caller.sender,
    agent: job.agent,
    action: job.action,
    data: job.data,
    filter,
    nodes: targets,
    discovery,
    time: request.time,
    ttl: job.ttl,
    timeout: job.timeout,
    ...(job.retryOf !== undefined ? { retry_of: job.retryOf } : {}),
  };
  await store.save(record);
  publishTargeted(bus, caller.collective, targets, envelopes);
  await bus.flush();
  return { record, stream: store.name, retention };
}
