import type { NodeView } from '@cohort/core';
import type { ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import type { Bus } from '../bus.js';
import { NagiosKind } from '../check-kinds/nagios.js';
import type { MetricSnapshot } from '../check-kinds/types.js';
import type { NodeSecurity } from '../node-security.js';
import type { Scheduler } from '../schedule/index.js';
import { Checks, type CheckKinds } from './checks.js';
import { BusCheckDefinitions } from './definitions.js';
import { CheckStore } from './store.js';

/**
 * The check kinds cohortd runs out of the box: `nagios` (plugins and NRPE
 * commands). Others plug in with one line each before createChecks:
 * `kinds.set('expression', new ExpressionKind(...))`.
 */
export function defaultCheckKinds(config: ServerConfig): CheckKinds {
  return new Map([['nagios', new NagiosKind({ nrpe: { confFile: config.nrpe.conf_file, confDir: config.nrpe.conf_dir } })]]);
}

export interface CreateChecksOptions {
  readonly config: ServerConfig;
  readonly configFile: string | undefined;
  readonly bus: Bus;
  readonly security: NodeSecurity;
  readonly scheduler: Scheduler;
  readonly kinds: CheckKinds;
  readonly view: () => NodeView;
  readonly log: Logger;
  readonly metrics?: () => MetricSnapshot;
}

/**
 * The daemon's checks, or undefined (logged) when they cannot run: states
 * and events are signed by the node, so they need security.node_key, and a
 * bus with JetStream.
 */
export function createChecks(o: CreateChecksOptions): Checks | undefined {
  const { config, security, bus, log } = o;
  const declared = Object.keys(config.checks).length > 0 || config.checks_dir !== null;
  if (security.signer === undefined) {
    (declared ? log.error.bind(log) : log.debug.bind(log))('checks: off: every check state is signed by the node, and security.node_key is not set');
    return undefined;
  }
  if (bus.checks === undefined) {
    (declared ? log.warn.bind(log) : log.debug.bind(log))('checks: off: the bus has no key-value store');
    return undefined;
  }
  const sink = new CheckStore({ identity: config.identity, collectives: config.collectives, bus: bus.checks, signer: security.signer, log });
  let checks: Checks | undefined;
  const watch = bus.watchBucket;
  const defs =
    watch === undefined
      ? undefined
      : new BusCheckDefinitions({
          collectives: config.collectives,
          watch,
          trust: security.trust,
          policies: security.policies,
          audit: security.audit,
          view: o.view,
          log,
          onChange: () => checks?.busChanged(),
        });
  checks = new Checks({
    identity: config.identity,
    configFile: o.configFile,
    settings: { checks: config.checks, checks_dir: config.checks_dir },
    kinds: o.kinds,
    scheduler: o.scheduler,
    sink,
    bus: defs,
    view: o.view,
    log,
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
  return checks;
}
