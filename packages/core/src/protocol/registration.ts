import type { Facts } from '../filter/types.js';
import type { ServiceEntry } from '../services/types.js';

/**
 * Registration and lifecycle envelopes. They do not travel on the request
 * subjects: a node's inventory lives in a JetStream key-value bucket per
 * collective (registryBucket), lifecycle events on lifecycleSubject. Each
 * carries a versioned tag and is validated against its schema when read.
 */
export const RegistryTag = {
  Registration: 'cohort:registration:1',
  Lifecycle: 'cohort:lifecycle:1',
} as const;
export type RegistryTag = (typeof RegistryTag)[keyof typeof RegistryTag];

/**
 * A node's inventory, as stored in the registry bucket under its identity:
 * everything a discovery filter can test (identity, facts, classes, agents)
 * plus when and how often it is refreshed. Times are unix milliseconds.
 */
export interface RegistrationMessage {
  protocol: typeof RegistryTag.Registration;
  identity: string;
  /** Collectives the node joined; the first is its main collective. */
  collectives: string[];
  facts: Facts;
  classes: string[];
  /** Loaded agents, sorted. */
  agents: string[];
  /** cohortd (or cohort-sim) version. */
  version: string;
  /** When the daemon started. */
  started_at: number;
  /** When this record was published. */
  time: number;
  /** Seconds between heartbeats: a record older than this (plus a grace) is stale. */
  interval: number;
  /** The address others reach this node at: `advertise_address`, else its primary address fact (IPv4 or IPv6 literal). */
  address?: string;
  /** The services this node offers, with their health (service discovery). */
  services?: ServiceEntry[];
  /** Plugins pushed to this node (`cohort plugin push`) and the version each runs. */
  plugins?: RegisteredPlugin[];
  /** Pushed plugins this node refused, with the reason (never run). */
  plugin_errors?: RegisteredPluginError[];
}

/** A pushed plugin as its node reports it. Times are unix ms. */
export interface RegisteredPlugin {
  name: string;
  version: string;
  state: 'enabled' | 'disabled' | 'debug';
  /** sha256 of the pack it runs. */
  digest: string;
  /** When this version was activated. */
  since?: number;
  /** Staged rollout: when the node took its update slot and gave it back. */
  claimed_at?: number;
  released_at?: number;
}

/** A pushed plugin version the node refused (untrusted signer, digest mismatch, bad DDL...). */
export interface RegisteredPluginError {
  name: string;
  version: string;
  reason: string;
  time?: number;
}

/** What happened to a node: it started (and is now answering) or shut down cleanly. */
export const LifecycleEvent = {
  Startup: 'startup',
  Shutdown: 'shutdown',
} as const;
export type LifecycleEvent = (typeof LifecycleEvent)[keyof typeof LifecycleEvent];

/** A lifecycle event, published on lifecycleSubject(collective, event, identity). Times are unix ms. */
export interface LifecycleMessage {
  protocol: typeof RegistryTag.Lifecycle;
  event: LifecycleEvent;
  identity: string;
  collectives: string[];
  version: string;
  started_at: number;
  time: number;
}
