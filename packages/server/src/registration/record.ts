import { RegistryTag, type LifecycleEvent, type LifecycleMessage, type NodeView, type RegistrationMessage } from '@cohort/core';

/** What identifies the publishing node, fixed for its lifetime. */
export interface NodeIdentity {
  readonly identity: string;
  /** Collectives joined; the first is the main one. */
  readonly collectives: readonly string[];
  readonly version: string;
  /** Daemon start, unix ms. */
  readonly startedAt: number;
}

/** The registry record of a node: the same identity, facts, classes and agents its filter matching sees. */
export function buildRegistration(node: NodeIdentity, view: NodeView, intervalSeconds: number, nowMs: number): RegistrationMessage {
  return {
    protocol: RegistryTag.Registration,
    identity: node.identity,
    collectives: [...node.collectives],
    facts: view.facts,
    classes: [...view.classes],
    agents: [...view.agents],
    version: node.version,
    started_at: node.startedAt,
    time: nowMs,
    interval: intervalSeconds,
  };
}

/** A lifecycle event for this node. */
export function buildLifecycle(node: NodeIdentity, event: LifecycleEvent, nowMs: number): LifecycleMessage {
  return {
    protocol: RegistryTag.Lifecycle,
    event,
    identity: node.identity,
    collectives: [...node.collectives],
    version: node.version,
    started_at: node.startedAt,
    time: nowMs,
  };
}
