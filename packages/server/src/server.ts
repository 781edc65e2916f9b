import { builtinAgents, type Agent, type NodeInfo } from '@cohort/agents';
import { broadcastSubject, builtinDdlDir, errorMessage, nodeInboxPrefix, nodeSubject, resolveBusAuth, version } from '@cohort/core';
import { type ServerConfig } from '@cohort/agents';
import type { Logger } from '@cohort/core/log';
import { connectBus, type Bus, type BusConnector } from './bus.js';
import { loadAgents } from './loader.js';
import { createNodeInfo } from './node-info.js';
import { NodeState } from './node-state.js';
import { createNodeSecurity } from './node-security.js';
import type { Arrival } from './pipeline/outcome.js';
import { createFstat } from './fstat.js';
import { Processor } from './processor.js';
import { nodeMode } from './provisioning/mode.js';
import { EventLoopMonitor } from './process-metrics.js';
import { daemonRegistrar } from './registration/daemon.js';
import { AgentRegistry } from './registry.js';
import { Stats } from './stats.js';
import { mineAgent } from './mine/agent.js';
import { createMine, type Mine } from './mine/mine.js';
import { startNodeMetrics } from './metrics/index.js';
import { createExpressionKind, createGraphiteKind } from './check-kinds/index.js';
import { Scheduler } from './schedule/index.js';
import { checksAgent, createChecks, defaultCheckKinds, type Checks } from './checks/index.js';
import { createTemplates, type Templates } from './templates/index.js';
import { nodeAddress, Services } from './services/index.js';
import { createPluginSync, type PluginSync } from './plugin-sync/index.js';

export interface ServerOptions {
  readonly config: ServerConfig;
  /** The config file the settings came from, reported by rpcutil. */
  readonly configFile?: string | undefined;
  readonly log: Logger;
  /** Bus connector (tests may pass a fake); defaults to NATS. */
  readonly connect?: BusConnector;
  /** Bundled agents and their DDL directory (defaults: rpcutil, the repository's ddl/). */
  readonly builtin?: readonly Agent[];
  readonly builtinDdlDir?: string;
  /** Called when an agent asks for an in-process restart (provision restart); without it, agents cannot restart the daemon. */
  readonly onRestart?: (reason: string) => void;
}

/** A running daemon. */
export interface RunningServer {
  readonly node: NodeInfo;
  readonly registry: AgentRegistry;
  readonly stats: Stats;
  /** Reload facts and classes; true when they reloaded (else the old ones stay). */
  reload(why: string): boolean;
  /** Stop taking requests, let in-flight ones finish (up to shutdown_timeout), drain the bus. Idempotent. */
  stop(reason: string): Promise<void>;
  /** Resolves if the bus connection closes without stop() being called (a runtime failure). */
  readonly failed: Promise<Error>;
}

/**
 * Start the daemon: read facts and classes (a bad facts file throws
 * FactsError), load agents, connect, subscribe every hosted agent's broadcast
 * subject and the node subject in every collective, and watch the facts.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { log } = options;
  // Provisioning mode (provisioning.enabled) narrows collectives and agents; otherwise the config is used as is.
  const mode = nodeMode(options.config, options.builtin ?? builtinAgents);
  const config = mode.config;
  log.info(`starting cohortd ${version} as ${config.identity}`, { identity: config.identity, collectives: config.collectives });
  if (config.provisioning.enabled) log.info(`provisioning mode: collective '${config.collectives.join(', ')}', agents ${mode.builtin.map((a) => a.name).join(' and ')} only, until provision configure and restart`);

  // Facts or classes reloaded: republish the registry record straight away.
  let onChange = (): void => undefined;
  let checks: Checks | undefined;
  const state = new NodeState({
    // check('name').state in -S filters: this node's own check states.
    data: (name, arg) => (name === 'check' ? (checks?.data(arg) ?? { exists: false }) : undefined),
    identity: config.identity,
    factsFiles: config.facts,
    classesFile: config.classes_file,
    builtinFacts: mode.facts,
    log: log.child({ ns: 'server:facts' }),
    onChange: () => onChange(),
  });
  state.load();
  const stats = new Stats();
  const registry = new AgentRegistry();
  const eventLoop = new EventLoopMonitor(); // samples only while rpcutil daemon_stats is asked
  // An agent's restart request fires after its delay, unless the daemon stops first.
  let restartTimer: NodeJS.Timeout | undefined;
  const onRestart = options.onRestart;
  const requestRestart = onRestart
    ? (reason: string, delayMs: number): void => {
        clearTimeout(restartTimer);
        log.info(`restart requested (${reason}); restarting in ${delayMs / 1000} s`);
        restartTimer = setTimeout(() => onRestart(reason), delayMs);
      }
    : undefined;
  const startedAt = Date.now();
  const node = createNodeInfo({ config, configFile: options.configFile, startTime: Math.floor(startedAt / 1000), state, registry, stats, eventLoopLag: () => eventLoop.lag(), requestRestart });

  let mine: Mine | undefined;
  let templates: Templates | undefined;
  await loadAgents({
    registry,
    // The mine (docs/mine.md) is off in provisioning mode.
    builtin: config.provisioning.enabled ? mode.builtin : [...mode.builtin, mineAgent(() => mine), checksAgent(() => checks)],
    builtinDdlDir: options.builtinDdlDir ?? builtinDdlDir(),
    pluginDirs: config.plugin_dirs,
    node,
    log: log.child({ ns: 'server:agents' }),
  });
  const agents = registry.names();
  state.setAgents(agents);
  const unloaded = registry.unloaded().map((u) => `${u.name} (${u.reason})`);
  log.info(`agents loaded: ${agents.join(', ') || 'none'}${unloaded.length ? `; not loaded: ${unloaded.join('; ')}` : ''}`);
  // Collectors, detectors (classes in the view before the first request or registration), Prometheus, Graphite (docs/metrics.md).
  // Check states and perfdata go to Prometheus and Graphite from the checks module (empty until it runs).
  const checkStates = () => (checks ? checks.names().flatMap((n) => { const r = checks?.record(n); return r ? [{ check: r.check, state: r.state, perfdata: r.perfdata }] : []; }) : []);
  const metrics = await startNodeMetrics({ config, stats: () => stats.snapshot(), data: state.data, setClasses: (c) => state.setDetectedClasses(c), checks: checkStates, log });

  const security = createNodeSecurity(config, log.child({ ns: 'server:security' }));
  const auth = resolveBusAuth(config.nats, 'config nats');
  const busLog = log.child({ ns: 'server:bus' });
  log.info(`connecting to NATS at ${config.nats.servers.join(', ')} with ${auth.summary} (retrying until a server answers)`);
  const bus: Bus = await (options.connect ?? connectBus)({ servers: config.nats.servers, name: `cohortd ${config.identity}`, log: busLog, auth, inboxPrefix: nodeInboxPrefix(config.identity) });
  log.info(`connected to NATS at ${bus.server}`);

  const processor = new Processor({
    identity: config.identity,
    maxBytes: config.max_message_bytes,
    maxReplyBytes: Math.min(config.max_message_bytes, bus.maxPayload),
    agents: registry,
    view: () => state.view(),
    node,
    stats,
    publish: (subject, bytes) => bus.publish(subject, bytes),
    log: log.child({ ns: 'server:processor' }),
    maxConcurrency: config.max_concurrency,
    maxQueue: config.max_queue,
    security,
    freshness: { maxTtl: config.security.max_ttl, maxSkewMs: config.security.max_clock_skew * 1000, startedAt },
    fstat: createFstat({ allow: config.security.fstat_paths, maxDigestBytes: config.security.fstat_max_digest_bytes }),
  });

  const unsubscribers: Array<() => void> = [];
  const listen = (subject: string, arrival: Arrival) => unsubscribers.push(bus.subscribe(subject, (data) => void processor.handle(data, arrival)));
  // Each hosted agent's broadcast subjects; pushed plugins (plugin sync) add and remove agents while running.
  const agentSubscriptions = new Map<string, Array<() => void>>();
  const subscribeAgents = (): void => {
    const names = new Set(registry.names());
    for (const [agent, unsubscribe] of agentSubscriptions) {
      if (names.has(agent)) continue;
      for (const u of unsubscribe) u();
      agentSubscriptions.delete(agent);
    }
    for (const agent of names) {
      if (agentSubscriptions.has(agent)) continue;
      agentSubscriptions.set(agent, config.collectives.map((collective) => bus.subscribe(broadcastSubject(collective, agent), (data) => void processor.handle(data, { collective, agent, subject: broadcastSubject(collective, agent) }))));
    }
  };
  subscribeAgents();
  unsubscribers.push(() => {
    for (const unsubscribe of agentSubscriptions.values()) for (const u of unsubscribe) u();
    agentSubscriptions.clear();
  });
  for (const collective of config.collectives) {
    listen(nodeSubject(collective, config.identity), { collective, agent: undefined, subject: nodeSubject(collective, config.identity) });
  }
  state.watch();
  log.info(`ready: ${agents.length * config.collectives.length + config.collectives.length} subscriptions in ${config.collectives.length} collective(s)`);
  // One scheduler for the mine, the checks and the service probes (docs/mine.md, docs/checks.md, docs/service-discovery.md).
  const scheduler = new Scheduler({ log: log.child({ ns: 'server:schedule' }) });
  // Services (docs/service-discovery.md): probed once before the first registration; a health or list change republishes at once.
  let servicesChanged = (): void => undefined;
  const services = config.provisioning.enabled
    ? undefined
    : new Services({ configFile: options.configFile, settings: { services: config.services, services_dir: config.services_dir }, scheduler, checkRecord: (n) => checks?.record(n), log: log.child({ ns: 'server:services' }), onChange: () => servicesChanged() });
  await services?.start();
  let pluginSync: PluginSync | undefined;
  const offer = () => ({ address: nodeAddress(config.advertise_address, state.view().facts), services: services?.entries(), plugins: pluginSync?.plugins(), pluginErrors: pluginSync?.errors() });
  // Registered only once it answers, so whoever discovers it through the registry can reach it.
  let registrar: ReturnType<typeof daemonRegistrar>;
  try {
    registrar = daemonRegistrar({ config, version, startTime: node.startTime, view: () => state.view(), bus, log: log.child({ ns: 'server:registration' }), onEvent: () => stats.events++, signer: security.signer, offer });
  } catch (err) {
    // Refused settings (ttl <= interval): leave nothing connected behind, so a restart can fall back cleanly.
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
    services?.stop();
    await scheduler.stop();
    state.close();
    eventLoop.stop();
    await metrics.stop();
    await bus.drain().catch(() => undefined);
    security.close();
    throw err;
  }
  onChange = () => {
    void registrar?.refresh();
    pluginSync?.refresh();
    mine?.refresh();
    checks?.refresh();
    templates?.refresh();
  };
  servicesChanged = () => void registrar?.refresh();
  await registrar?.start();
  // Plugins pushed to the fleet (docs/plugins.md): installed, verified and swapped in without a restart.
  pluginSync = config.provisioning.enabled
    ? undefined
    : createPluginSync({
        config,
        configFile: options.configFile,
        bus,
        security,
        registry,
        node,
        view: () => state.view(),
        log: log.child({ ns: 'server:plugins' }),
        onChange: () => {
          subscribeAgents();
          state.setAgents(registry.names());
          void registrar?.refresh();
        },
      });
  await pluginSync?.start();
  if (!config.provisioning.enabled) {
    const settings = { mine: config.mine, mine_dir: config.mine_dir };
    mine = createMine({ identity: config.identity, collectives: config.collectives, configFile: options.configFile, settings, bus, security, agents: registry, node, view: () => state.view(), log: log.child({ ns: 'server:mine' }), scheduler });
    await mine?.start();
    // nagios, plus expressions over the collectors' metrics and Graphite targets (docs/checks.md, docs/metrics.md).
    const checkKinds = defaultCheckKinds(config);
    checkKinds.set('expression', createExpressionKind({ functions: metrics.functions, fresh: metrics.fresh }));
    checkKinds.set('graphite', createGraphiteKind({ renderUrl: config.metrics.graphite.render_url }));
    checks = createChecks({ config, configFile: options.configFile, bus, security, scheduler, kinds: checkKinds, view: () => state.view(), log: log.child({ ns: 'server:checks' }), metrics: metrics.snapshot });
    await checks?.start();
    // Files rendered from the service catalogue, a key-value bucket and this node's facts (docs/service-discovery.md).
    templates = await createTemplates({ config, bus, view: () => state.view(), log: log.child({ ns: 'server:templates' }) });
    if (templates) stats.templates = () => templates?.counters() ?? {};
    if (checks && services) checks.onRecordChange(() => services.checksChanged());
    services?.checksChanged();
  }

  let stopping: Promise<void> | undefined;
  // Closing is only a failure when nobody asked for it; after stop() this never settles.
  const failed = bus.closed().then((err) => {
    if (stopping) return new Promise<Error>(() => undefined);
    log.error(`the NATS connection closed unexpectedly${err ? `: ${errorMessage(err)}` : ''}`);
    return err ?? new Error('NATS connection closed');
  });

  async function stop(reason: string): Promise<void> {
    clearTimeout(restartTimer);
    // With the bus down, farewell writes (registry tombstone, mine values) would each wait for their timeout: skip them, the values expire.
    const farewell = bus.connected !== false;
    if (!farewell) log.warn(`${reason}: NATS is unreachable; not removing this node's registry record and mine values (they expire)`);
    await pluginSync?.stop();
    await templates?.stop();
    services?.stop();
    await checks?.stop();
    await mine?.stop({ farewell });
    await scheduler.stop();
    await registrar?.stop({ farewell });
    await metrics.stop();
    for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
    state.close();
    const timeoutMs = config.shutdown_timeout * 1000;
    if (processor.inFlight > 0) log.info(`${reason}: finishing ${processor.inFlight} request(s), waiting up to ${config.shutdown_timeout} s`);
    else log.info(`${reason}: shutting down`);
    if (!(await processor.whenIdle(timeoutMs))) {
      log.warn(`${processor.inFlight} request(s) still running after ${config.shutdown_timeout} s; aborting them`);
      processor.abortAll();
      await processor.whenIdle(1000);
    }
    await registry.dispose((agent, err) => log.warn(`agent '${agent}' did not shut down cleanly: ${errorMessage(err)}`));
    await bus.drain().catch((err: unknown) => log.warn(`draining the NATS connection failed: ${errorMessage(err)}`));
    security.close();
    eventLoop.stop();
    log.info('stopped', stats.snapshot());
  }

  return {
    node,
    registry,
    stats,
    failed,
    reload: (why) => state.reload(why),
    stop: (reason) => (stopping ??= stop(reason)),
  };
}
