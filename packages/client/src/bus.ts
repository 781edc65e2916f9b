import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { ConnectionError, errorMessage, type BusAuth, type Signer } from '@cohort/core';
import { readKvBucketOnce, watchKvBucket, type BucketEntry, type BucketMissing, type BucketRead, type BucketWatch } from './bus/kv.js';
import { natsJobStore } from './bus/job-stream.js';
import { openKeyValue, type KeyValueBucket, type KeyValueOptions } from './bus/key-value.js';
import { openKvStore, type KvStore, type KvStoreOptions } from './bus/kv-store.js';
import { setupBus, type BusSetupOptions, type BusSetupResult } from './bus/setup.js';
import type { KvEntry, MineKvOpener } from './mine/kv.js';
import { readKvLatest } from './bus/kv-latest.js';
import { openNatsKv } from './bus/mine-kv.js';
import { followNatsStream, type FollowOptions, type StreamFollow, type StreamMessage } from './bus/stream-follow.js';
import type { JobStore } from './jobs/store.js';
import { natsAuthOptions } from '@cohort/core/nats-auth';
import { openPluginStore } from './bus/plugins.js';
import type { PluginStoreOpener } from './plugins/store.js';
import { natsErrorCode } from './bus/nats-errors.js';

/**
 * The only module that talks to NATS (with its parts in bus/: key-value
 * watches, the job stream, key-value buckets). Everything else sees the small
 * {@link Bus} interface, so tests can substitute their own implementation.
 */

export interface BusSubscription {
  unsubscribe(): void;
}

export interface Bus {
  /** Servers this bus was connected with (as given). */
  readonly servers: readonly string[];
  /** Queue `data` for `subject`; throws if the connection is closed. */
  publish(subject: string, data: Uint8Array): void;
  /** Deliver every message on `subject` to `onMessage` until unsubscribed. */
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): BusSubscription;
  /** Resolve once the server has seen everything published so far (or after 2 s, e.g. while reconnecting). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /**
   * Watch a key-value bucket (the registry): initial values, then changes,
   * until stopped. Resolves with BucketMissing when there is no such bucket.
   * Absent on buses without a key-value store (broadcast discovery only).
   */
  watchBucket?(name: string, onEntry: (entry: BucketEntry) => void): Promise<BucketWatch | BucketMissing>;
  /** Read a key-value bucket's latest values once (a client that does not stay); as watchBucket otherwise. */
  readBucket?(name: string, onEntry: (entry: BucketEntry) => void): Promise<BucketRead | BucketMissing>;
  /** The async job stream of a collective (JetStream); absent on buses without one. */
  jobs?(collective: string, callerid: string, signer?: Signer): JobStore;
  /** A key-value bucket with compare-and-set (JetStream); absent on buses without one. */
  keyValue?(name: string, options: KeyValueOptions): Promise<KeyValueBucket>;
  /** Create the registry bucket and job stream of a collective (an administrator's `cohort bus init`). */
  setup?(collective: string, options: BusSetupOptions): Promise<BusSetupResult>;
  /** A mine bucket (values or definitions); absent on buses without a key-value store. */
  mineKv?: MineKvOpener;
  /**
   * Follow a JetStream stream live (the check events) with an ordered,
   * ephemeral consumer; resolves once following, or with BucketMissing when
   * there is no such stream. Absent on buses without JetStream.
   */
  followStream?(stream: string, filter: string, onMessage: (m: StreamMessage) => void, options?: FollowOptions): Promise<StreamFollow | BucketMissing>;
  /** A user key-value bucket (`cohort kv`); BucketMissing when absent and not created. Absent on buses without JetStream. */
  kvStore?(name: string, options?: KvStoreOptions): Promise<KvStore | BucketMissing>;
  /** A collective's pushed plugins (`cohort plugin push/ls/rollback/rm`); absent on buses without JetStream. */
  plugins?: PluginStoreOpener;
}

export interface BusOptions {
  /** NATS URLs (`nats://host:port` or `host:port`); tried in order. */
  servers: readonly string[];
  /** Milliseconds to wait for the first connection (default 2000). */
  connectTimeoutMs?: number;
  /** Connection name shown in the server's monitoring. */
  name?: string;
  /** TLS and credentials (checked and read by resolveBusAuth from @cohort/core). */
  auth?: BusAuth;
  /** Inbox prefix (callerInboxPrefix of the caller: a broker ACL can give each caller only its own inboxes). */
  inboxPrefix?: string;
}

export { natsAuthOptions };

/** Default wait for the first connection to NATS. */
export const defaultConnectTimeoutMs = 2000;

/**
 * How many bytes of published messages nats.js gathers before writing them to
 * the socket in the middle of a run of publishes (its hidden `pendingLimit`;
 * its default is 32 kB). Whatever is gathered is written anyway once the
 * publishing code yields. A call to 250 nodes publishes ~110 kB of requests:
 * with 32 kB, the first write in the middle of the loop wakes the server and
 * the nodes, and on a busy machine the client was descheduled before it had
 * queued the rest (the last requests went out 5-130 ms after the first on a
 * 2-core machine running the 250 daemons; docs/performance.md, "The first
 * request at 250 nodes"). 256 kB lets a call to a few hundred nodes go out in
 * one write and still streams a call to thousands.
 */
export const publishBatchBytes = 256 * 1024;

/**
 * Connect to NATS. Throws ConnectionError naming every URL tried when no
 * server accepts the connection within the timeout.
 */
export async function connectBus(options: BusOptions): Promise<Bus> {
  const servers = [...options.servers];
  if (servers.length === 0) throw new ConnectionError(servers, 'no NATS server given: pass at least one nats://host:port URL');
  let nc: NatsConnection;
  try {
    const natsOptions: ConnectionOptions & { pendingLimit: number } = {
      servers,
      timeout: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
      name: options.name ?? 'cohort-client',
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
      noRandomize: true,
      // A server that dies mid-call: move to another cluster member (listed
      // or learnt from the server) quickly; each call's own deadline bounds the wait.
      ignoreClusterUpdates: false,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 250,
      ...natsAuthOptions(options.auth),
      pendingLimit: publishBatchBytes,
    };
    nc = await connect(natsOptions);
  } catch (err) {
    const tried = servers.join(', ');
    const why = reason(err);
    const waited = why === 'timed out' ? ` after ${(options.connectTimeoutMs ?? defaultConnectTimeoutMs) / 1000} s (--connect-timeout)` : '';
    throw new ConnectionError(servers, `cannot connect to NATS at ${tried}: ${why}${waited}`, { cause: err });
  }
  return natsBus(nc, servers, options.inboxPrefix);
}

function reason(err: unknown): string {
  const code = natsErrorCode(err);
  if (code === 'CONNECTION_REFUSED') return 'connection refused';
  if (code === 'CONNECTION_TIMEOUT' || code === 'TIMEOUT') return 'timed out';
  if (code === 'AUTHORIZATION_VIOLATION' || code === 'AUTHENTICATION_EXPIRED' || /authorization violation/i.test(errorMessage(err))) {
    return 'the server refused our credentials (authorization violation): give --user/--password, --token, --creds or --nkey (or nats.* in the client config)';
  }
  if (/certificate|self[- ]signed|tls|ssl/i.test(errorMessage(err))) return `TLS failed: ${errorMessage(err)} (give the server's CA with --tls-ca, and --tls-cert/--tls-key if it wants a client certificate)`;
  return errorMessage(err);
}

/** Milliseconds a flush waits for the server before giving up quietly. */
const flushTimeoutMs = 2000;

function boundedFlush(nc: NatsConnection, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([nc.flush().catch(() => undefined), gaveUp]).finally(() => clearTimeout(timer));
}

function natsBus(nc: NatsConnection, servers: readonly string[], inboxPrefix: string | undefined): Bus {
  return {
    servers,
    publish(subject, data) {
      nc.publish(subject, data);
    },
    subscribe(subject, onMessage) {
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (!err) onMessage(msg.data);
        },
      });
      return { unsubscribe: () => sub.unsubscribe() };
    },
    // Bounded: while the connection is down (reconnecting to another server)
    // a flush would wait for the reconnect; the publishes stay buffered and
    // go out on reconnect, and the caller's own deadline ends the call.
    flush: () => boundedFlush(nc, flushTimeoutMs),
    watchBucket: (name, onEntry) => watchKvBucket(nc, name, onEntry),
    readBucket: (name, onEntry) => readKvBucketOnce(nc, inboxPrefix, name, onEntry),
    jobs: (collective, callerid, signer) => natsJobStore(nc, collective, callerid, signer),
    keyValue: (name, options) => openKeyValue(nc, name, options),
    setup: (collective, options) => setupBus(nc, collective, options),
    mineKv: Object.assign((name: string, create: boolean, ttlSeconds?: number) => openNatsKv(nc, name, create, ttlSeconds), {
      latest: (bucket: string, filter: string, onEntry: (entry: KvEntry) => void) => readKvLatest(nc, inboxPrefix, bucket, filter, onEntry),
    }),
    followStream: (stream, filter, onMessage, options) => followNatsStream(nc, stream, filter, onMessage, options),
    kvStore: (name, options) => openKvStore(nc, name, options),
    plugins: (collective, create) => openPluginStore(nc, collective, create),
    async close() {
      if (!nc.isClosed()) await nc.close();
    },
  };
}
