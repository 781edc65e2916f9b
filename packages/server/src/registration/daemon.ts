import type { NodeView, Signer } from '@cohort/core';
import type { ServerConfig } from '@cohort/agents';
import type { NodeOffer } from './record.js';
import type { Logger } from '@cohort/core/log';
import type { Bus } from '../bus.js';
import { Registrar } from './registrar.js';

/**
 * The daemon's registrar, from its `registration:` settings: undefined when
 * registration is disabled. Not started yet.
 */
export function daemonRegistrar(options: {
  config: ServerConfig;
  version: string;
  /** Daemon start, unix seconds (as rpcutil reports it). */
  startTime: number;
  view: () => NodeView;
  bus: Bus;
  log: Logger;
  onEvent: () => void;
  /** The node key (security.node_key): records and events are signed with it. */
  signer?: Signer | undefined;
  /** The node's address and services (service discovery). */
  offer?: () => NodeOffer;
}): Registrar | undefined {
  const { config, bus } = options;
  const settings = config.registration;
  if (!settings.enabled) return undefined;
  return new Registrar({
    node: { identity: config.identity, collectives: config.collectives, version: options.version, startedAt: options.startTime * 1000 },
    view: options.view,
    intervalSeconds: settings.interval,
    ttlSeconds: settings.ttl,
    openBucket: bus.openBucket,
    publish: (subject, bytes) => bus.publish(subject, bytes),
    log: options.log,
    onEvent: options.onEvent,
    signer: options.signer,
    ...(options.offer ? { offer: options.offer } : {}),
  });
}
