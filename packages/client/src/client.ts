import { plainIdentities, type Ddl, type Filter } from '@cohort/core';
import { connectBus, defaultConnectTimeoutMs, type Bus } from './bus.js';
import { systemClock, type Clock } from './clock.js';
import { createDdlSource, prepareRequest, type DdlSource } from './ddl.js';
import { broadcastDiscovery, type DiscoveryRun } from './discovery/broadcast.js';
import { ClientClosedError } from './errors.js';
import { defaultCallerId, defaultSender } from './identity.js';
import { agentProxy, type ActionMapLike, type AgentProxy } from './proxy.js';
import { startRpc } from './rpc.js';
import { parseCount } from './targets.js';
import type { DiscoveryOptions, RpcCall, RpcOptions } from './types.js';
import { completeFilter, type Caller } from './wire.js';

/** Client defaults, as data. Durations in seconds. */
export const clientDefaults = {
  /** Collective addressed when none is given. */
  collective: 'cohort',
  /** Seconds discovery waits at most. */
  discoveryTimeout: 2,
  /** Seconds without a new discovery answer (after the first) that end discovery. */
  discoveryWindow: 0.3,
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
  private closed = false;

  private constructor(bus: Bus, options: ClientOptions) {
    this.bus = bus;
    this.clock = options.clock ?? systemClock;
    this.caller = Object.freeze({
      collective: options.collective ?? clientDefaults.collective,
      callerid: options.callerid ?? defaultCallerId(),
      sender: options.sender ?? defaultSender(),
    });
    this.ddlSource = options.ddl ?? createDdlSource(options.ddlDirs);
    this.discoveryDefaults = {
      timeout: options.discoveryTimeout ?? clientDefaults.discoveryTimeout,
      window: options.discoveryWindow ?? clientDefaults.discoveryWindow,
    };
  }

  /** Connect to NATS (throws ConnectionError naming the URLs tried). */
  static async connect(options: ClientOptions): Promise<Client> {
    const bus =
      options.bus ??
      (await connectBus({
        servers: serverList(options.servers),
        connectTimeoutMs: options.connectTimeout === undefined ? defaultConnectTimeoutMs : options.connectTimeout * 1000,
        name: `cohort-client ${options.callerid ?? ''}`.trim(),
      }));
    return new Client(bus, options);
  }

  /**
   * Broadcast discovery, streaming: nodes are yielded as they answer. Ends at
   * the timeout, or once no new node answered within the window after the first.
   */
  discoverStream(filter?: Partial<Filter>, options: DiscoveryOptions = {}): DiscoveryRun {
    this.assertOpen();
    return broadcastDiscovery({ bus: this.bus, clock: this.clock, caller: this.caller }, completeFilter(filter), {
      timeoutMs: (options.timeout ?? this.discoveryDefaults.timeout) * 1000,
      windowMs: (options.window ?? this.discoveryDefaults.window) * 1000,
      ttl: clientDefaults.ttl,
    });
  }

  /** Identities of the nodes matching `filter`, in the order they answered. */
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
    const call = startRpc(
      { bus: this.bus, clock: this.clock, caller: this.caller },
      {
        agent: options.agent,
        action: options.action,
        data: prepared.data,
        filter,
        ...(nodes ? { nodes } : {}),
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

