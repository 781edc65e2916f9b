import { readFileSync } from 'node:fs';
import { buildFilter, callerInboxPrefix, errorMessage, UsageError, type Filter, type Signer, type TrustStore } from '@cohort/core';
import { connectBus, type Bus } from '@cohort/client';
import { Client, clientDefaults, serverList } from '@cohort/client';
import { createDdlSource, type DdlSource } from '@cohort/client';
import type { DiscoveryMethod } from '@cohort/client';
import { parseNodesList } from '@cohort/client';
import { defaultCallerId } from '@cohort/client';
import { bool, commaList, list, str, type Args } from './args.js';
import { loadClientConfig, type LoadedClientConfig } from '@cohort/client';
import { resolveDiscoveryChoice } from './discovery-method.js';
import { parseDuration } from '@cohort/client';
import { chooseBusAuth, chooseNodeTrust, chooseReplyTrust, chooseSigner } from './session-security.js';
import type { CliIo } from './io.js';

/** Default NATS URL when neither flag, environment nor config names one. */
export const defaultNatsUrl = 'nats://127.0.0.1:4222';

/**
 * Everything a fleet command needs, resolved from flags > environment >
 * config file > defaults and validated before anything is sent.
 */
export interface Session {
  io: CliIo;
  config: LoadedClientConfig;
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
}

/** Resolve the common flags. Throws ConfigError / FilterSyntaxError / UsageError (all exit 2). */
export async function openSession(argv: Args, io: CliIo): Promise<Session> {
  const config = loadClientConfig(str(argv, 'config'), io.env, io.homedir);
  const c = config.config;
  const fromFlags = commaList(argv, 'nats');
  const fromEnv = io.env['COHORT_NATS'] ? serverList(io.env['COHORT_NATS']) : [];
  const servers = fromFlags.length ? fromFlags : fromEnv.length ? fromEnv : (c.servers ?? [defaultNatsUrl]);
  const collective = str(argv, 'target') ?? c.collective ?? clientDefaults.collective;
  if (!/^[A-Za-z0-9_-]+$/.test(collective)) throw new UsageError(`collective '${collective}' is not valid: use letters, digits, _ and -`);
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
  const dt = str(argv, 'discovery-timeout');
  const dw = str(argv, 'discovery-window');
  const discoveryTimeout = dt !== undefined ? parseDuration(dt, 's', '--discovery-timeout') : (c.discoveryTimeout ?? clientDefaults.discoveryTimeout);
  if (discoveryTimeout <= 0) throw new UsageError('--discovery-timeout must be above 0');
  const discoveryWindow = dw !== undefined ? parseDuration(dw, 'ms', '--discovery-window') : (c.discoveryWindow ?? clientDefaults.discoveryWindow);
  const ct = str(argv, 'connect-timeout');
  const connectTimeout = ct === undefined ? undefined : parseDuration(ct, 's', '--connect-timeout');
  if (connectTimeout !== undefined && connectTimeout <= 0) throw new UsageError('--connect-timeout must be above 0');
  const ddl = createDdlSource([...list(argv, 'ddl-dir'), ...(c.ddlDirs ?? [])]);
  const json = bool(argv, 'json');
  const signing = chooseSigner(argv, io, c.security);
  const auth = chooseBusAuth(argv, io, c.security);
  const replyTrust = chooseReplyTrust(argv, c.security, signing.signer);
  const nodeTrust = replyTrust ?? chooseNodeTrust(argv, c.security, signing.signer);
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
    openBus: async () =>
      io.connect
        ? io.connect(servers)
        : connectBus({ servers, name: 'cohort-client', auth, inboxPrefix: callerInboxPrefix(signing.signer?.subject ?? c.callerid ?? defaultCallerId()), ...(connectTimeout !== undefined ? { connectTimeoutMs: connectTimeout * 1000 } : {}) }),
    connect: async (bus?: Bus) =>
      Client.connect({
        servers,
        ...(bus ? { bus } : io.connect ? { bus: await io.connect(servers) } : {}),
        collective,
        ...(c.callerid ? { callerid: c.callerid } : {}),
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
