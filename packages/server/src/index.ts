/**
 * @cohort/server: the node daemon `cohortd`. Start it with `startServer`
 * (or the `cohortd` binary); the pipeline stages, processor and loaders are
 * exported for embedding and tests.
 */
export { main, ExitCode } from './main.js';
export { startServer, type ServerOptions, type RunningServer } from './server.js';
export { connectBus, natsAuthOptions, type Bus, type BusConnector, type BusOptions } from './bus.js';
export { Processor, type ProcessorDeps } from './processor.js';
export { dispatch, type ActionOutcome, type ContextBase, type DispatchOptions } from './dispatcher.js';
export { Drop, Refusal, type Arrival } from './pipeline/outcome.js';
export { decodeStage } from './pipeline/decode.js';
export { routeStage } from './pipeline/route.js';
export { ttlStage } from './pipeline/ttl.js';
export { verifyStage, type Admitted } from './pipeline/verify.js';
export { replayStage } from './pipeline/replay.js';
export { authorizeStage } from './pipeline/authorize.js';
export { AuditFile, type AuditSink } from './pipeline/audit.js';
export { createNodeSecurity, type NodeSecurity } from './node-security.js';
export { WatchedTrust, trustContentHash, type TrustFiles, type WatchedTrustOptions } from './trust-watch.js';
export { filterStage, type FilterMatcher } from './pipeline/filter.js';
export { lookupStage, type Target } from './pipeline/lookup.js';
export { validateStage, type InputValidator } from './pipeline/validate.js';
export { buildReply, encodeReply, type EncodedReply } from './pipeline/reply.js';
export { AgentRegistry, type AgentLookup, type HostedAgent, type HostedAction } from './registry.js';
export { loadAgents, type LoadAgentsOptions } from './loader.js';
export { findPlugins, loadPlugin, mismatch, type PluginCandidate } from './plugins.js';
export { NodeState, type NodeStateOptions } from './node-state.js';
export { createNodeInfo } from './node-info.js';
export { loadFacts, readFactsFile, mergeFacts } from './facts.js';
export { parseClasses, readClassesFile } from './classes.js';
export { watchFiles } from './watch.js';
export { Stats, DropReason } from './stats.js';
export { Semaphore } from './semaphore.js';
export { EventLoopMonitor, eventLoopDefaults, type EventLoopMonitorOptions } from './process-metrics.js';
export { RateLimitedLog } from './rate-limit.js';
export { flagsToSettings, helpEpilogue, type DaemonFlags } from './options.js';
export { FactsError, PluginError } from './errors.js';
export { Registrar, buildRegistration, buildLifecycle, openKvBucket, type RegistrarOptions, type NodeIdentity, type RegistryBucket, type BucketOpener } from './registration/index.js';
export { simMain, startSimFleet, startVirtualNode, simNode, simIdentity, simNodeInfo, simNodeView, simAddress, simServices, simOffer, type SimFleet, type SimFleetOptions, type VirtualNode, type SimShared, type SimNodeSpec } from './sim/index.js';
export { Scheduler, type ScheduledJob, type SchedulerOptions, type SchedulerCounters } from './schedule/index.js';
export * from './mine/index.js';
export * from './metrics/index.js';
export { createDetectors, type Detectors, type DetectorsOptions } from './detectors/index.js';
export { createExpressionKind, type ExpressionKindDeps } from './check-kinds/expression.js';
export { createGraphiteKind, judgeSeries, graphiteSettings, parseRenderResponse, renderUrl, type GraphiteKindDeps, type RenderSeries } from './check-kinds/graphite.js';
export * from './checks/index.js';
export * from './services/index.js';
export { NagiosKind, type NagiosKindOptions, type CheckKindRunner, type CheckRunContext, type MetricSnapshot } from './check-kinds/index.js';
export { LocalSources, readDropInDir, type LocalKind, type LocalSettings, type LocalSourcesOptions } from './local-sources.js';
export { createTemplates, TemplateRunner, Catalogue, templateData, createRenderer, loadRenderer, writeAtomic, type Templates, type TemplateData, type TemplateCounters, type Timers, type RunCommand, type Render } from './templates/index.js';
