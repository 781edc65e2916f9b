import type { EventLoopLag } from '@cohort/agents';
import { broadcastSubject, nodeSubject, version, type Signer } from '@cohort/core';
import { type ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import { connectBus, type Bus, type BusConnector } from '../bus.js';
import type { Arrival } from '../pipeline/outcome.js';
import { Processor } from '../processor.js';
import { Registrar } from '../registration/registrar.js';
import type { AgentRegistry } from '../registry.js';
import { Stats } from '../stats.js';
import type { SimNodeSpec } from './facts.js';
import { simNodeInfo, simNodeView } from './node-info.js';
import { startSimMine } from './mine.js';
import { simOffer } from './services.js';
import type { KeyObject } from 'node:crypto';

/** What every virtual node of a simulator process shares. */
export interface SimShared {
  /** Settings as cohortd reads them (collectives, limits, nats servers, registration). */
  readonly config: ServerConfig;
  /** Agents loaded once per process; each node's Processor looks them up here, as cohortd does. */
  readonly registry: AgentRegistry;
  readonly log: Logger;
  readonly connect?: BusConnector;
  /** Event-loop delay of the simulator process, reported by every node's rpcutil daemon_stats. */
  readonly eventLoopLag?: () => EventLoopLag;
  /** The key that signs a virtual node's registry record and events (cohort-sim --issuer-key); unsigned without. */
  readonly signerFor?: (identity: string) => Signer;
  /** Certifies each node's mine key (bench --mine); see sim/mine.ts. */
  readonly mineIssuer?: KeyObject | undefined;
  /** Publish simulated services and an address in every record (cohort-sim --services; sim/services.ts). */
  readonly services?: boolean;
}

/** A running virtual node. */
export interface VirtualNode {
  readonly identity: string;
  readonly stats: Stats;
  stop(): Promise<void>;
}

/**
 * Start one virtual node: its own NATS connection (connectBus, as cohortd),
 * its own Processor (decode, verify, ttl, filter, lookup, validate, dispatch,
 * reply), its subscriptions in every collective, and its registration. Only
 * the facts come from memory instead of files.
 */
export async function startVirtualNode(spec: SimNodeSpec, shared: SimShared): Promise<VirtualNode> {
  const { config, registry, log } = shared;
  const startTime = Math.floor(Date.now() / 1000);
  const stats = new Stats();
  const agents = registry.names();
  const view = simNodeView(spec, agents);
  const node = simNodeInfo({ spec, view, config, startTime, registry, stats, eventLoopLag: shared.eventLoopLag });
  const bus: Bus = await (shared.connect ?? connectBus)({ servers: config.nats.servers, name: `cohort-sim ${spec.identity}`, log });
  const processor = new Processor({
    identity: spec.identity,
    maxBytes: config.max_message_bytes,
    maxReplyBytes: Math.min(config.max_message_bytes, bus.maxPayload),
    agents: registry,
    view: () => view,
    node,
    stats,
    publish: (subject, bytes) => bus.publish(subject, bytes),
    log,
    maxConcurrency: config.max_concurrency,
  });
  const unsubscribers: Array<() => void> = [];
  const listen = (subject: string, arrival: Arrival) => unsubscribers.push(bus.subscribe(subject, (data) => void processor.handle(data, arrival)));
  for (const collective of config.collectives) {
    for (const agent of agents) listen(broadcastSubject(collective, agent), { collective, agent, subject: broadcastSubject(collective, agent) });
    listen(nodeSubject(collective, spec.identity), { collective, agent: undefined, subject: nodeSubject(collective, spec.identity) });
  }
  const registrar = config.registration.enabled
    ? new Registrar({
        node: { identity: spec.identity, collectives: config.collectives, version, startedAt: startTime * 1000 },
        view: () => view,
        intervalSeconds: config.registration.interval,
        ttlSeconds: config.registration.ttl,
        openBucket: bus.openBucket,
        publish: (subject, bytes) => bus.publish(subject, bytes),
        log,
        onEvent: () => stats.events++,
        signer: shared.signerFor?.(spec.identity),
        ...(shared.services ? { offer: ((o) => () => o)(simOffer(Number(spec.facts['index']), startTime * 1000)) } : {}),
      })
    : undefined;
  await registrar?.start();
  const mine = await startSimMine({ identity: spec.identity, config, issuer: shared.mineIssuer, bus, registry, node, view, log });
  return {
    identity: spec.identity,
    stats,
    async stop() {
      await mine?.stop();
      await registrar?.stop();
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      await processor.whenIdle(config.shutdown_timeout * 1000);
      await bus.drain().catch(() => undefined);
    },
  };
}
