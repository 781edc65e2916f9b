/**
 * The provisioner: takes nodes waiting in the provisioning collective through
 * the pipeline (lock, master/CA choice, certificate, Puppet, final config,
 * restart, verify) and tells the notifiers. `cohort provisioner run` wires it.
 */
export { pipelineSpec, stepNames, type StepName } from './pipeline-spec.js';
export { loadPipeline, pipelineFromValues, configTemplateRoots, type Pipeline, type PipelineFile } from './pipeline-load.js';
export { checkNotifiers, notifyEvents, type NotifierSpec, type NotifyEventName, type WebhookNotifierSpec, type EmailNotifierSpec, type LogNotifierSpec } from './pipeline-notify.js';
export { renderTemplate, checkTemplate, templateNames, TemplateError } from './template.js';
export { chooseMaster, stableHash, type MasterCandidate, type MasterChoice, type MasterOptions } from './master.js';
export { backoffDelay, withRetries, isRetryable, type RetryOptions } from './retry.js';
export * from './state.js';
export { encodeRecord, decodeRecord, type StateStore, type StateEntry } from './state-store.js';
export { openKvStateStore, type KvStateOptions } from './state-kv.js';
export { claimNode, Claim, LostClaimError, type ClaimResult } from './claim.js';
export { StepFailure, NoReply, type FleetApi, type Where } from './fleet.js';
export { rpcFleet, type RpcFleetOptions } from './fleet-rpc.js';
export { steps, finalConfig, templateVariables, type StepContext } from './steps.js';
export { provisionNode, type NodeOutcome, type RunDeps } from './run-node.js';
export { WorkQueue } from './queue.js';
export { Provisioner, type ServiceDeps, type ServiceCounts } from './service.js';
export { realTime, type Time } from './time.js';
export { quietLog, type ProvisionerLog } from './log.js';
export * from './notify/index.js';
