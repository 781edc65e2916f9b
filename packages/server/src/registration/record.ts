import { RegistryTag, type LifecycleEvent, type LifecycleMessage, type NodeView, type RegisteredPlugin, type RegisteredPluginError, type RegistrationMessage, type ServiceEntry } from '@cohort/core';

/** What identifies the publishing node, fixed for its lifetime. */
export interface NodeIdentity {
  readonly identity: string;
  /** Collectives joined; the first is the main one. */
  readonly collectives: readonly string[];
  readonly version: string;
  /** Daemon start, unix ms. */
  readonly startedAt: number;
}

/** What a node offers for service discovery: its address and services (absent fields are left out of the record). */
export interface NodeOffer {
  readonly address?: string | undefined;
  readonly services?: readonly ServiceEntry[] | undefined;
  /** Pushed plugins this node runs, and the ones it refused (docs/plugins.md). */
  readonly plugins?: readonly RegisteredPlugin[] | undefined;
  readonly pluginErrors?: readonly RegisteredPluginError[] | undefined;
}

/** The registry record of a node: the same identity, facts, classes and agents its filter matching sees, plus its address and services. */
export function buildRegistration(node: NodeIdentity, view: NodeView, intervalSeconds: number, nowMs: number, offer: NodeOffer = {}): RegistrationMessage {
  const record: RegistrationMessage = {
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
  if (offer.address !== undefined) record.address = offer.address;
  if (offer.services !== undefined && offer.services.length > 0) record.services = offer.services.map((s) => ({ ...s, tags: [...s.tags] }));
  // Left out when empty, so a record without pushed plugins reads as before.
  if (offer.plugins !== undefined && offer.plugins.length > 0) record.plugins = offer.plugins.map((p) => ({ ...p }));
  if (offer.pluginErrors !== undefined && offer.pluginErrors.length > 0) record.plugin_errors = offer.pluginErrors.map((e) => ({ ...e }));
  return record;
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
