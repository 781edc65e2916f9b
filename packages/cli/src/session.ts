import { readFileSync } from 'node:fs';
import { buildFilter, callerInboxPrefix, errorMessage, UsageError, type Filter, type SignatureFile, type Signer, type TrustStore } from '@cohort/core';
import { connectBus, type Bus } from '@cohort/client';
import { Client } from '@cohort/client';
import { createDdlSource, type DdlSource } from '@cohort/client';
import type { DiscoveryMethod } from '@cohort/client';
import { parseNodesList } from '@cohort/client';
import { defaultCallerId } from '@cohort/client';
import { bool, list, str, type Args } from './args.js';
import type { ClientConfig } from '@cohort/client';
import { sessionConfig } from './config-flags.js';
import { resolveDiscoveryChoice } from './discovery-method.js';
import { parseDuration } from '@cohort/client';
import { busAuth, chooseNodeTrust, chooseReplyTrust, chooseSigner } from './session-security.js';
import { signatureCache } from './signature-cache.js';
import type { CliIo } from './io.js';

/**
 * Everything a fleet command needs, resolved from flags > environment >
 * config file > defaults and validated before anything is sent.
 */
export interface Session {
  io: CliIo;
  /** The client configuration: defaults < file < environment < flags. */
  config: ClientConfig;
  servers: string[];
  collective: string;
  filter: Filter;
  /** Identities from --nodes (or --dm flatfile/stdin), when given. */
  nodes: string[] | undefined;
  /** --dm broadcast or registry; auto (the registry when fresh, else broadcast) by default. */
  discoveryMethod: DiscoveryMethod;
  /** Agent DDLs (--ddl-dir, ddl_dirs, the bundled ones); cohort rpc adds one from a pushed plugin when none is local. */
  ddl: DdlSource;
  /** Seconds. */
  discoveryTimeout: number;
  discoveryWindow: number;
  json: boolean;
  verbose: boolean;
  /** Show a spinner: stderr is a terminal, not --json, not --np. */
  progress: boolean;
  /** Colour output: stdout is a terminal and NO_COLOR is not set. */
  colour: boolean;
  /** When requests go unsigned: a hint to print if no node answered (else ''). */
  unsignedHint: string;
  /** Connect to NATS (ConnectionError names the URLs tried); with `bus`, use that connection. */
  connect(bus?: Bus): Promise<Client>;
  /** Open a bare NATS connection with the session's servers, credentials and timeout. */
  openBus(): Promise<Bus>;
  /** The key requests are signed with, if any. */
  signer: Signer | undefined;
  /** Trusted node keys and issuers (registry records, job replies); undefined when none is configured. */
  nodeTrust: TrustStore | undefined;
  /**
   * The signatures that verified in earlier runs (signature-cache.ts), for
   * the node trust of a command that reads and exits; undefined for one
   * that keeps running (it remembers in memory only) or when turned off.
   */
  verifiedSignatures: SignatureFile | undefined;
}

/** How a command uses its session. */
export interface SessionOptions {
  /** The command keeps running (a server, a watch, a mirror): no signatures file (see Session.verifiedSignatures). */
  keepsRunning?: boolean;
}

/** Resolve the common flags. Throws ConfigError / FilterSyntaxError / UsageError (all exit 2). */
export async function openSession(argv: Args, io: CliIo, options: SessionOptions = {}): Promise<Session> {
  const config = sessionConfig(argv, io);
  const servers = [...config.servers];
  const collective = config.collective;
  const filter = buildFilter({
    fact: list(argv, 'with-fact'),
    cls: list(argv, 'with-class'),
    identity: list(argv, 'with-identity'),
    agent: list(argv, 'with-agent'),
    with: list(argv, 'with'),
    select: list(argv, 'select'),
  });
  const { method: discoveryMethod, nodesSource } = resolveDiscoveryChoice(str(argv, 'dm'), str(argv, 'nodes'));
  const nodes = nodesSource === undefined ? undefined : await readNodes(nodesSource, io);
  const { discoveryTimeout, discoveryWindow } = config;
  const ct = str(argv, 'connect-timeout');
  const connectTimeout = ct === undefined ? undefined : parseDuration(ct, 's', '--connect-timeout');
  if (connectTimeout !== undefined && connectTimeout <= 0) throw new UsageError('--connect-timeout must be above 0');
  // --ddl-dir and --issuer add to the config's lists (searched first) rather than replacing them.
  const ddl = createDdlSource([...list(argv, 'ddl-dir'), ...config.ddlDirs]);
  const json = bool(argv, 'json');
  const signing = chooseSigner(io, config.security);
  const auth = busAuth(config.security);
  const replyTrust = chooseReplyTrust(argv, config.security, signing.signer);
  const nodeTrust = replyTrust ?? chooseNodeTrust(argv, config.security, signing.signer);
  const verifiedSignatures = options.keepsRunning ? undefined : signatureCache(io);
  if (verifiedSignatures) nodeTrust?.rememberSignatures(undefined, verifiedSignatures);
  const noColour = io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '';
  const session: Session = {
    io,
    config,
    servers,
    collective,
    filter,
    nodes,
    discoveryMethod,
    ddl,
    discoveryTimeout,
    discoveryWindow,
    json,
    verbose: bool(argv, 'verbose'),
    progress: io.stderr.isTTY && !json && !bool(argv, 'np'),
    colour: io.stdout.isTTY && !noColour,
    unsignedHint: signing.unsignedHint,
    signer: signing.signer,
    nodeTrust,
    verifiedSignatures,
    openBus: async () =>
      io.connect
        ? io.connect(servers)
        : connectBus({ servers, name: 'cohort-client', auth, inboxPrefix: callerInboxPrefix(signing.signer?.subject ?? config.callerid ?? defaultCallerId()), ...(connectTimeout !== undefined ? { connectTimeoutMs: connectTimeout * 1000 } : {}) }),
    connect: async (bus?: Bus) =>
      Client.connect({
        servers,
        ...(bus ? { bus } : io.connect ? { bus: await io.connect(servers) } : {}),
        collective,
        ...(config.callerid ? { callerid: config.callerid } : {}),
        ...(connectTimeout !== undefined ? { connectTimeout } : {}),
        // The session's DDLs as they are then (cohort rpc may add one from a pushed plugin).
        ddl: session.ddl,
        discoveryTimeout,
        discoveryWindow,
        discoveryMethod,
        auth,
        ...(signing.signer ? { signer: signing.signer } : {}),
        ...(replyTrust ? { verifyReplies: replyTrust } : {}),
        ...(nodeTrust ? { nodeTrust } : {}),
        // One command, then exit: the registry is read once, not watched.
        watchRegistry: false,
      }),
  };
  return session;
}

async function readNodes(source: string, io: CliIo): Promise<string[]> {
  if (source === '-') return parseNodesList(await io.readStdin(), 'standard input (--nodes -)');
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --nodes file ${source}: ${errorMessage(err)}`, { cause: err });
  }
  return parseNodesList(text, `--nodes file ${source}`);
}

/** Parse -t/--timeout (seconds or a duration); undefined when not given. */
export function timeoutArg(argv: Args): number | undefined {
  const t = str(argv, 'timeout');
  if (t === undefined) return undefined;
  const s = parseDuration(t, 's', '--timeout');
  if (s <= 0) throw new UsageError('--timeout must be above 0');
  return s;
}
