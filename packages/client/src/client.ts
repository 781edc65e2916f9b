import { callerInboxPrefix, clientConfigSpec, plainIdentities, UsageError, verifyReply, type BusAuth, type Ddl, type Filter, type Signer, type TrustStore } from '@cohort/core';
import { connectBus, defaultConnectTimeoutMs, type Bus } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import { createDdlSource, prepareRequest, type DdlSource } from './ddl.js';
import { broadcastDiscovery, type DiscoveryRun } from './discovery/broadcast.js';
import type { DiscoveryDecision, DiscoveryMethod } from './discovery/method.js';
import type { Registry } from './discovery/registry.js';
import { planDiscovery, RegistryCache } from './discovery/resolve.js';
import { ClientClosedError } from './errors.js';
import { defaultCallerId, defaultSender } from './identity.js';
import { agentProxy, type ActionMapLike, type AgentProxy } from './proxy.js';
import { startRpc } from './rpc.js';
import { parseCount } from './targets.js';
import type { DiscoveryOptions, RpcCall, RpcOptions } from './types.js';
import { completeFilter, withAgent, type Caller, type ReplyCheck } from './wire.js';
import { markPhase } from './timing.js';

/** Client defaults, as data. Durations in seconds. Those the config file can set come from its spec (clientConfigSpec). */
export const clientDefaults = {
  /** Collective addressed when none is given. */
  collective: clientConfigSpec.collective.default,
  /** Seconds discovery waits at most. */
  discoveryTimeout: Number(clientConfigSpec.discovery_timeout.default),
  /** Seconds without a new discovery answer (after the first) that end discovery (the spec says milliseconds). */
  discoveryWindow: Number(clientConfigSpec.discovery_window.default) / 1000,
  /** Seconds added to the DDL's timeout to get the default reply timeout. */
  timeoutMargin: 2,
  /** Request TTL in seconds. */
  ttl: 60,
  /** Seconds between batches. */
  batchSleep: 1,
} as const;

export interface ClientOptions {
  /** NATS URLs, tried in order (a comma-separated string is accepted). */
  servers: string | readonly string[];
  collective?: string;
  /** `kind=value`; default `user=<os login>`. */
  callerid?: string;
  /** This client's identity; default the host name. */
  sender?: string;
  /** Extra DDL directories, searched before the bundled `ddl/`. */
  ddlDirs?: readonly string[];
  /** Use this DDL source instead of building one from `ddlDirs`. */
  ddl?: DdlSource;
  /** Seconds to wait for the NATS connection (default 2). */
  connectTimeout?: number;
  /** Default discovery timeout/window for calls that do not give one (seconds). */
  discoveryTimeout?: number;
  discoveryWindow?: number;
  /** Use this bus instead of connecting to NATS (tests, custom transports). */
  bus?: Bus;
  clock?: Clock;
  /** How calls discover nodes when they do not say (default `auto`: the registry when fresh, else broadcast). */
  discoveryMethod?: DiscoveryMethod;
  /** TLS and credentials for NATS (see resolveBusAuth in @cohort/core). */
  auth?: BusAuth;
  /**
   * Sign every request with this key (see loadSigner in @cohort/core). The
   * caller id is the one bound to the key; a different `callerid` is refused.
   */
  signer?: Signer;
  /** Verify replies against these trusted node keys and issuers; unverifiable replies are reported in `stats.unverified`, not counted. */
  verifyReplies?: TrustStore;
  /**
   * Trusted node keys and issuers for what nodes publish (registry records,
   * lifecycle events); default `verifyReplies`. Without either, the registry
   * cannot be verified and discovery does not use it (broadcast instead).
   */
  nodeTrust?: TrustStore;
  /**
   * Keep the registry current with a watch after its first read (default
   * true). False for a client that makes a call or two and exits (the CLI):
   * the registry is read once, in one request, and nothing keeps watching.
   */
  watchRegistry?: boolean;
}

/**
 * A Cohort client: discovery and RPC over NATS.
 *
 * ```ts
 * const client = await Client.connect({ servers: 'nats://127.0.0.1:4222' });
 * const call = client.rpc({ agent: 'rpcutil', action: 'ping' });
 * for await (const reply of call) console.log(reply.sender, reply.statusmsg);
 * console.log(await call.stats());
 * await client.close();
 * ```
 */
export class Client {
  readonly caller: Readonly<Caller>;
  readonly ddlSource: DdlSource;
  private readonly bus: Bus;
  private readonly clock: Clock;
  private readonly discoveryDefaults: { timeout: number; window: number };
  private readonly signer: Signer | undefined;
  private readonly registryCache: RegistryCache;
  private readonly discoveryMethod: DiscoveryMethod;
  private readonly verify: ReplyCheck | undefined;
  /** Trusted node keys and issuers for registry records and lifecycle events (undefined: none). */
  readonly nodeTrust: TrustStore | undefined;
  private closed = false;

  private constructor(bus: Bus, options: ClientOptions) {
    this.bus = bus;
    this.clock = options.clock ?? systemClock;
    this.signer = options.signer;
    this.caller = Object.freeze({
      collective: options.collective ?? clientDefaults.collective,
      callerid: options.signer?.subject ?? options.callerid ?? defaultCallerId(),
      sender: options.sender ?? defaultSender(),
    });
    const trust = options.verifyReplies;
    this.verify = trust && ((opened) => {
      const signer = verifyReply(opened, trust, Date.now());
      return typeof signer === 'string' ? signer : undefined;
    });
    this.ddlSource = options.ddl ?? createDdlSource(options.ddlDirs);
    this.nodeTrust = options.nodeTrust ?? options.verifyReplies;
    this.registryCache = new RegistryCache(bus, this.caller.collective, this.nodeTrust, { watch: options.watchRegistry ?? true });
    this.discoveryMethod = options.discoveryMethod ?? 'auto';
    this.discoveryDefaults = {
      timeout: options.discoveryTimeout ?? clientDefaults.discoveryTimeout,
      window: options.discoveryWindow ?? clientDefaults.discoveryWindow,
    };
  }

  /** True when replies are verified (`verifyReplies`): unverified ones are never counted. */
  get verifiesReplies(): boolean {
    return this.verify !== undefined;
  }

  /** Connect to NATS (throws ConnectionError naming the URLs tried). */
  static async connect(options: ClientOptions): Promise<Client> {
    const bound = options.signer?.subject;
    if (bound !== undefined && options.callerid !== undefined && options.callerid !== bound) {
      throw new UsageError(`caller id '${options.callerid}' does not match the signing key, which is bound to '${bound}'; drop the callerid setting or use that caller's key`);
    }
    const bus =
      options.bus ??
      (await connectBus({
        servers: serverList(options.servers),
        connectTimeoutMs: options.connectTimeout === undefined ? defaultConnectTimeoutMs : options.connectTimeout * 1000,
        name: `cohort-client ${bound ?? options.callerid ?? ''}`.trim(),
        inboxPrefix: callerInboxPrefix(bound ?? options.callerid ?? defaultCallerId()),
        ...(options.auth ? { auth: options.auth } : {}),
      }));
    return new Client(bus, options);
  }

  /**
   * Broadcast discovery, streaming: nodes are yielded as they answer. Ends at
   * the timeout, or once no new node answered within the window after the first.
   */
  discoverStream(filter?: Partial<Filter>, options: DiscoveryOptions = {}): DiscoveryRun {
    this.assertOpen();
    return broadcastDiscovery({ bus: this.bus, clock: this.clock, caller: this.caller, signer: this.signer, verify: this.verify }, completeFilter(filter), {
      timeoutMs: (options.timeout ?? this.discoveryDefaults.timeout) * 1000,
      windowMs: (options.window ?? this.discoveryDefaults.window) * 1000,
      ttl: clientDefaults.ttl,
    });
  }

  /**
   * The collective's registry: read on first use, then kept current by a
   * watch until close(). `unavailable` says why when there is none.
   */
  registry(): Promise<Registry> {
    this.assertOpen();
    return this.registryCache.get();
  }

  /**
   * How `filter` would be discovered with `method` (default: the client's):
   * the registry's matching identities, or broadcast and why. Throws
   * UsageError for `registry` when there is no registry.
   */
  planDiscovery(filter?: Partial<Filter>, method: DiscoveryMethod = this.discoveryMethod): Promise<DiscoveryDecision> {
    this.assertOpen();
    return planDiscovery(this.registryCache, method, completeFilter(filter));
  }

  /** Identities of the nodes matching `filter`, in the order they answered (broadcast discovery). */
  async discover(filter?: Partial<Filter>, options?: DiscoveryOptions): Promise<string[]> {
    const out: string[] = [];
    for await (const node of this.discoverStream(filter, options)) out.push(node.identity);
    return out;
  }

  /**
   * Call `agent.action` on every matching node. The inputs are validated
   * against the agent's DDL first (throws UsageError/DdlError/InputError, and
   * nothing is sent). Plain identity filters and `nodes` skip discovery.
   */
  rpc<D = Record<string, unknown>>(options: RpcOptions): RpcCall<D> {
    this.assertOpen();
    const prepared = prepareRequest(this.ddlSource, options.agent, options.action, { data: { ...(options.data ?? {}) } });
    const filter = completeFilter(options.filter);
    const nodes = options.nodes ?? plainIdentities(filter);
    const timeout = options.timeout ?? prepared.ddl.metadata.timeout + clientDefaults.timeoutMargin;
    const method = options.discoveryMethod ?? this.discoveryMethod;
    // Registry discovery resolves the targets first; broadcast (or no usable registry) discovers on the bus.
    const targets = async (): Promise<string[] | undefined> => {
      const decision = await planDiscovery(this.registryCache, method, withAgent(filter, options.agent));
      markPhase(`discovered (${decision.method})`);
      options.onDiscovery?.(decision);
      return decision.method === 'registry' ? decision.identities : undefined;
    };
    const call = startRpc(
      { bus: this.bus, clock: this.clock, caller: this.caller, signer: this.signer, verify: this.verify },
      {
        agent: options.agent,
        action: options.action,
        data: prepared.data,
        filter,
        ...(nodes ? { nodes } : { targets }),
        ...(options.batch !== undefined ? { batch: parseCount(options.batch, 'batch') } : {}),
        batchSleepMs: (options.batchSleep ?? clientDefaults.batchSleep) * 1000,
        ...(options.limit !== undefined ? { limit: parseCount(options.limit, 'limit') } : {}),
        ...(options.limitSeed !== undefined ? { limitSeed: options.limitSeed } : {}),
        timeoutMs: timeout * 1000,
        ttl: options.ttl ?? clientDefaults.ttl,
        discoveryTimeoutMs: (options.discoveryTimeout ?? this.discoveryDefaults.timeout) * 1000,
        discoveryWindowMs: (options.discoveryWindow ?? this.discoveryDefaults.window) * 1000,
      },
    );
    return call as unknown as RpcCall<D>;
  }

  /** A typed proxy for one agent: `client.agent<RpcutilActions>('rpcutil').get_fact({ fact: 'os.family' })`. */
  agent<M extends ActionMapLike<M>>(name: string): AgentProxy<M> {
    return agentProxy<M>(name, (options) => this.rpc(options));
  }

  /** The DDL the client uses for `agent` (throws when there is none). */
  ddl(agent: string): Ddl {
    return this.ddlSource.get(agent);
  }

  /** Close the NATS connection. Calls in flight end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.registryCache.close();
    await this.bus.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientClosedError();
  }
}

/** Normalise servers given as a list and/or comma-separated strings. */
export function serverList(servers: string | readonly string[]): string[] {
  const list = typeof servers === 'string' ? [servers] : servers;
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

