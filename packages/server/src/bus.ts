import { connect, type NatsConnection, type Status } from 'nats';
import { ConnectionError, errorMessage, type BusAuth } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { RateLimitedLog } from './rate-limit.js';
import type { BucketOpener } from './registration/bucket.js';
import { openKvBucket } from './bus/registry-kv.js';
import { watchBucket, type BucketWatcher, type WatchedEntry } from './bus/mine-watch.js';
import { isolateInboundErrors } from './bus/isolate.js';
import { natsAuthOptions } from '@cohort/core/nats-auth';
import { natsChecksBus, type ChecksBus } from './bus/checks.js';
import { followBucket, type BucketFollow, type FollowedEntry } from './bus/kv-follow.js';
import { natsPluginsBus, type PluginsBus } from './bus/plugins.js';

/** The daemon's view of the message bus (the only NATS-aware code; tests may fake it). */
export interface Bus {
  /** The server currently connected to (`host:port`). */
  readonly server: string;
  /** The largest payload the server accepts, in bytes. */
  readonly maxPayload: number;
  /** Deliver each message on `subject` to `onMessage`; returns a function that unsubscribes. */
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): () => void;
  /** Publish; throws when the connection is closed or the payload too large. */
  publish(subject: string, data: Uint8Array): void;
  /** Whether the connection is up now (false while reconnecting); absent means always up. */
  readonly connected?: boolean;
  /** Flush pending publishes and close; while disconnected, close at once (there is nothing to flush to). */
  drain(): Promise<void>;
  /** Resolves when the connection has closed: with the error that closed it, or undefined. */
  closed(): Promise<Error | undefined>;
  /** Open a registry key-value bucket (JetStream); absent on buses without one. */
  readonly openBucket?: BucketOpener;
  /** Watch a key-value bucket (created when missing): the mine's fleet-wide definitions. */
  readonly watchBucket?: (name: string, onEntry: (entry: WatchedEntry) => void, onError: (err: unknown) => void) => Promise<BucketWatcher>;
  /** The checks' state bucket and events stream (JetStream); absent on buses without one. */
  readonly checks?: ChecksBus;
  /** Follow an existing bucket without creating it (templates: the registry and a `cohort kv` bucket); `{ missing }` when absent. */
  readonly followBucket?: (name: string, onEntry: (entry: FollowedEntry) => void, onError: (err: unknown) => void) => Promise<BucketFollow | { missing: string }>;
  /** Pushed plugins: manifests, packs, rollout slots (JetStream); absent on buses without one. */
  readonly plugins?: PluginsBus;
}

export interface BusOptions {
  readonly servers: readonly string[];
  /** Connection name shown by the server (e.g. `cohortd web1`). */
  readonly name: string;
  readonly log: Logger;
  /** TLS and credentials (from the `nats:` config section, checked by resolveBusAuth). */
  readonly auth?: BusAuth;
  /** Inbox prefix for this connection's request replies (nodeInboxPrefix: a broker ACL can keep each kind of user to its own inboxes). */
  readonly inboxPrefix?: string;
}

export { natsAuthOptions };

/** Creates a Bus; `connectBus` in production. */
export type BusConnector = (options: BusOptions) => Promise<Bus>;

function describeStatus(s: Status): string {
  return typeof s.data === 'string' || typeof s.data === 'number' ? String(s.data) : JSON.stringify(s.data);
}

async function logStatus(nc: NatsConnection, log: Logger, setConnected: (up: boolean) => void): Promise<void> {
  const retries = new RateLimitedLog(log, 30_000);
  for await (const s of nc.status()) {
    if (s.type === 'disconnect') setConnected(false);
    else if (s.type === 'reconnect') setConnected(true);
    switch (s.type) {
      case 'disconnect':
        log.warn(`disconnected from NATS server ${describeStatus(s)}; reconnecting until it comes back`);
        break;
      case 'reconnecting':
        retries.warn('reconnecting', `reconnecting to NATS (${describeStatus(s)})`);
        break;
      case 'reconnect':
        log.info(`reconnected to NATS server ${describeStatus(s)}`);
        break;
      case 'ldm':
        log.warn(`NATS server ${describeStatus(s)} entered lame duck mode; will move to another server`);
        break;
      case 'error':
        log.error(`NATS error: ${describeStatus(s)}`);
        break;
      default:
        log.debug(`NATS status ${s.type}: ${describeStatus(s)}`);
    }
  }
}

/**
 * Connect to NATS, retrying forever (also for the first connection) with
 * backoff, and log connection status changes. Resolves once connected.
 */
export async function connectBus(options: BusOptions): Promise<Bus> {
  const { log } = options;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: [...options.servers],
      name: options.name,
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      reconnectTimeWait: 1000,
      reconnectJitter: 500,
      // On a cluster: spread nodes over the listed servers, and learn the
      // other members from the server (INFO connect_urls) so a node that
      // lists one server still fails over to the rest (docs/operations.md).
      noRandomize: false,
      ignoreClusterUpdates: false,
      pingInterval: 30_000,
      ...natsAuthOptions(options.auth),
    });
  } catch (err) {
    throw new ConnectionError(options.servers, `cannot connect to NATS at ${options.servers.join(', ')}: ${errorMessage(err)}`, { cause: err });
  }
  // A message that makes nats.js throw (garbage on a key-value watch's inbox) is dropped instead of silencing the node.
  const inbound = new RateLimitedLog(log);
  try {
    isolateInboundErrors(nc, (subject, err) => inbound.warn('inbound', `dropped a message on ${subject} that could not be handled: ${errorMessage(err)}`, { subject }));
  } catch (err) {
    log.warn(`${errorMessage(err)}; a bad message on one of this node's inboxes may stop it from reading the bus`);
  }
  let connected = true;
  void logStatus(nc, log, (up) => (connected = up)).catch((err: unknown) => log.debug(`NATS status monitor ended: ${errorMessage(err)}`));
  return {
    get server() {
      return nc.getServer();
    },
    get maxPayload() {
      return nc.info?.max_payload ?? 1024 * 1024;
    },
    subscribe(subject, onMessage) {
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) log.warn(`subscription ${subject}: ${errorMessage(err)}`);
          else onMessage(msg.data);
        },
      });
      return () => sub.unsubscribe();
    },
    publish(subject, data) {
      nc.publish(subject, data);
    },
    get connected() {
      return connected && !nc.isClosed();
    },
    drain: () => (connected ? nc.drain() : nc.close()),
    closed: async () => (await nc.closed()) ?? undefined,
    openBucket: (name, ttlSeconds, what) => openKvBucket(nc, name, ttlSeconds, what),
    watchBucket: (name, onEntry, onError) => watchBucket(nc, name, onEntry, onError),
    checks: natsChecksBus(nc),
    followBucket: (name, onEntry, onError) => followBucket(nc, name, onEntry, onError),
    plugins: natsPluginsBus(nc),
  };
}
