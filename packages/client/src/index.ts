/**
 * @cohort/client: the library: bus, discovery, RPC, collection, aggregation, async jobs.
 * The `cohort` CLI is @cohort/cli; check_cohort_nrpe is @cohort/nagios.
 *
 * ```ts
 * import { Client } from '@cohort/client';
 * import type { RpcutilActions } from '@cohort/agents';
 * const client = await Client.connect({ servers: ['nats://127.0.0.1:4222'] });
 * const call = client.agent<RpcutilActions>('rpcutil').get_fact({ fact: 'os.family' });
 * for await (const reply of call) console.log(reply.sender, reply.data.value);
 * console.log(await call.stats());
 * await client.close();
 * ```
 */
export { Client, clientDefaults, serverList, type ClientOptions } from './client.js';
export type { Reply, RpcStats, RpcOptions, RpcCall, DiscoveryOptions, Count } from './types.js';
export type { AgentProxy, ActionMapLike, CallOptions } from './proxy.js';
export { connectBus, natsAuthOptions, defaultConnectTimeoutMs, publishBatchBytes, type Bus, type BusOptions, type BusSubscription } from './bus.js';
export { Collector, EndReason, type CollectorOptions, type CollectorResult, type Collected } from './collect.js';
export { systemClock, sleep, type Clock } from './clock.js';
export { broadcastDiscovery, type DiscoveryRun, type DiscoveredNode, type DiscoverySummary, type BroadcastDiscoveryOptions } from './discovery/broadcast.js';
export { Registry } from './discovery/registry.js';
export { RegistryView, type IgnoredRecord } from './discovery/registry-view.js';
export { RegistryCache, planDiscovery } from './discovery/resolve.js';
export { DiscoveryMethod, decideDiscovery, unverifiable, describeIgnored, type DiscoveryDecision, type RegistryState } from './discovery/method.js';
export { matchRegistry, type RegistryMatch, type DataAnswers } from './discovery/registry-match.js';
export { registeredNode, nodeViewOf, type RegisteredNode } from './discovery/registry-record.js';
export { registryFreshness, isStale, recordAgeMs, staleAfterMs, staleGraceMs, type RegistryFreshness } from './discovery/registry-freshness.js';
export { watchLifecycle, type LifecycleWatch } from './discovery/lifecycle.js';
export type { BucketEntry, BucketRead, BucketWatch, BucketMissing } from './bus/kv.js';
export type { KeyValueBucket, KeyValueEntry, KeyValueOptions } from './bus/key-value.js';
export type { BusSetupItem, BusSetupOptions, BusSetupResult } from './bus/setup.js';
export { startRpc, type RpcPlan, type RpcDeps } from './rpc.js';
export { parseCount, resolveCount, limitTargets, batchTargets, seededRandom, type ParsedCount } from './targets.js';
export { parseNodesList } from './nodes-file.js';
export { createDdlSource, prepareRequest, requireAction, type DdlSource, type PreparedRequest } from './ddl.js';
export { defaultCallerId, defaultSender } from './identity.js';
export { buildRequest, completeFilter, publishTargeted, signedGroupSize, targetedRequests, type TargetedRequests, withAgent, subscribeReplies, type Caller, type ReplyCheck, type ReplyVerification } from './wire.js';
export { NoNodesError, ClientClosedError } from './errors.js';
export * from './jobs/index.js';
export * from './config/index.js';
export {
  summarize,
  defaultAggregators,
  AggregatorRegistry,
  AggregatorError,
  type Aggregator,
  type AggregateSummary,
  type AggregatorFactory,
  type SummarizableReply,
} from './aggregate/index.js';
export { buildFilter, type FilterSpec, type Filter } from '@cohort/core';
export * as mine from './mine/index.js';
export * as kv from './kv/index.js';
export * as checks from './checks/index.js';
export { registryTargets } from './discovery/registry-targets.js';
export { readSignedBucket, readBucketEntries, isRefused, type Refused, type EntryVerifier } from './signed-bucket.js';
export * as plugins from './plugins/index.js';
