// A secured fleet for the security tests: examples/secure/setup.sh makes a CA,
// certificates, least-privilege NATS users, an issuer and the operators'
// certified keys; a real nats-server runs with that TLS + authorization
// config; the admin creates every stream and bucket of the collective (cohort
// bus init, as documented); real cohortd nodes run in signed mode with node keys
// certified by the issuer, policies and an audit log each. Not a test file itself.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect, type NatsConnection } from 'nats';
import {
  callerInboxPrefix,
  encode,
  encodeRequest,
  loadSigner,
  newRequestId,
  nodeInboxPrefix,
  ProtocolTag,
  replySubject,
  type AuditRecord,
  type RequestMessage,
  type Signer,
} from '@cohort/core';
import { cohort, cohortBin, cohortdBin, examplePluginDir, repoRoot, startFleet, startNatsServer, until, waitForSubscriptions, WaitTimeout, type CliResult, type Fleet, type NatsServer } from '../harness/index.js';

export const touchAgentDir = join(repoRoot, 'test/fixtures/agents/touch');

/** Why the tests cannot run here (openssl missing); throws instead under CI, which must run them. */
export function missingOpenssl(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    const why = 'openssl is not installed (apt-get install -y openssl): the secured-bus tests need it to make certificates';
    if (process.env['CI']) throw new Error(why);
    return why;
  }
}

interface NatsSection {
  servers: string[];
  tls: { ca: string; cert: string; key: string };
  user: string;
  password: string;
}

export interface SecureFleet {
  dir: string;
  nats: NatsServer;
  fleet: Fleet;
  /** cohortd's nats settings (TLS, user, password) for this server. */
  nodeNats: NatsSection;
  /** The operator's client config file. */
  clientConfig: string;
  /** What the admin's `cohort bus init --json` printed on the fresh server (undefined with `busInit: false`). */
  busInit: CliResult | undefined;
  /** What nats-server logged so far (its permission violations among it). */
  natsLog(): string;
  /** Environment for the CLI: the operator's config and this server. */
  env: Record<string, string>;
  /** A NATS connection with the operator's credentials (publishes requests, reads user=operator replies). */
  operatorBus(): Promise<NatsConnection>;
  /** A NATS connection with the daemons' credentials (a compromised node). */
  nodeBus(): Promise<NatsConnection>;
  /** A NATS connection as any user setup.sh made (an operator, `admin`, `cohortd`), optionally with an inbox prefix. */
  busAs(user: string, options?: { inboxPrefix?: string }): Promise<NatsConnection>;
  /** The client config file of an operator (`client.yaml` for operator, `client-<name>.yaml` for the others). */
  clientConfigOf(user: string): string;
  /** Every audit line of a node (refusal summaries included). */
  audit(identity: string): AuditRecord[];
  /** The audit log's path of a node. */
  auditFile(identity: string): string;
  /** Stop a node (SIGTERM, waits for it to exit). */
  stopNode(identity: string): Promise<void>;
  /** Start a stopped node again with its config and wait until it listens; returns its stderr so far. */
  startNode(identity: string): Promise<() => string>;
  stop(): Promise<void>;
}

export interface SecureFleetOptions {
  /** NATS users and Cohort callers setup.sh makes (COHORT_SECURE_OPERATORS); default operator only. */
  operators?: string[];
  /** Extra policy files (name -> text) beside touch.policy. */
  policies?: Record<string, string>;
  /** Extra cohortd settings, merged over the secure example's. */
  config?: Record<string, unknown>;
  /** Extra `security:` settings for the nodes. */
  security?: Record<string, unknown>;
  /** false: start the nodes without the admin's `cohort bus init` (nothing created yet); default true. */
  busInit?: boolean;
}

const policy = 'policy default deny\nallow\tuser=operator\ttouch\trole=web\t*\n';

/** Set up and start everything; `nodes` are identities with their role fact. */
export async function startSecureFleet(nodes: Array<{ identity: string; role: string }>, options: SecureFleetOptions = {}): Promise<SecureFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-secure-'));
  const operators = options.operators ?? ['operator'];
  execFileSync('sh', [join(repoRoot, 'examples/secure/setup.sh'), dir], { stdio: 'pipe', env: { ...process.env, COHORT_SECURE_OPERATORS: operators.join(' ') } });
  writeFileSync(join(dir, 'policies', 'touch.policy'), policy);
  for (const [name, text] of Object.entries(options.policies ?? {})) writeFileSync(join(dir, 'policies', name), text);
  const server = yaml.load(readFileSync(join(dir, 'server.yaml'), 'utf8')) as { nats: NatsSection; security: Record<string, unknown> };
  const fleetDir = join(dir, 'fleet');
  // Node keys made and certified before the nodes start (cohortd would create an uncertified one).
  for (const { identity } of nodes) {
    mkdirSync(join(fleetDir, identity), { recursive: true });
    execFileSync(process.execPath, [cohortBin, 'keys', 'generate', 'node', '--dir', join(fleetDir, identity)], { stdio: 'pipe' });
    execFileSync(process.execPath, [cohortBin, 'keys', 'sign', '--issuer', join(dir, 'keys/issuer.key'), '--node', identity, join(fleetDir, identity, 'node.pub')], { stdio: 'pipe' });
  }
  const natsLogFile = join(dir, 'nats-server.log');
  const nats = await startNatsServer({ args: ['-c', join(dir, 'nats-server.conf'), '-l', natsLogFile] });
  const nodeNats: NatsSection = { ...server.nats, servers: [nats.url] };
  let fleet: Fleet;
  let init: CliResult | undefined;
  try {
    // As documented: the admin creates every stream and bucket; nobody else may.
    if (options.busInit !== false) {
      init = await cohort(['bus', 'init', '--json'], { env: { COHORT_CONFIG: join(dir, 'admin.yaml'), COHORT_NATS: nats.url } });
      if (init.code !== 0) throw new Error(`cohort bus init failed (${init.code}): ${init.stderr}`);
    }
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: fleetDir,
      logLevel: 'info',
      nodes: nodes.map(({ identity, role }) => ({ identity, facts: { role }, classes: [] })),
      pluginDirs: [examplePluginDir, touchAgentDir, holdAgentDir],
      // Relative paths resolve per node (each node's config file is in fleet/<identity>/).
      config: { nats: nodeNats, ...(options.config ?? {}), security: { ...server.security, node_key: 'node.key', audit_file: 'audit.log', ...(options.security ?? {}) } },
    });
  } catch (err) {
    await nats.stop();
    throw err;
  }
  const clientConfig = join(dir, 'client.yaml');
  const clientConfigOf = (user: string) => (user === 'operator' ? clientConfig : user === 'admin' ? join(dir, 'admin.yaml') : join(dir, `client-${user}.yaml`));
  const passwordOf = (user: string) =>
    user === 'cohortd' ? server.nats.password : (yaml.load(readFileSync(clientConfigOf(user), 'utf8')) as { nats: { password: string } }).nats.password;
  // Each user's own inboxes, as cohort and cohortd use them (the ACLs allow no others).
  const inboxOf = (user: string) => (user === 'admin' ? undefined : user === 'cohortd' ? nodeInboxPrefix('rogue') : callerInboxPrefix(`user=${user}`));
  const busAs = (user: string, extra: { inboxPrefix?: string } = {}) =>
    connect({
      ...(inboxOf(user) ? { inboxPrefix: inboxOf(user) } : {}),
      servers: nats.url,
      user,
      pass: passwordOf(user),
      tls: { caFile: join(dir, 'tls/ca.pem'), certFile: join(dir, `tls/${user}.pem`), keyFile: join(dir, `tls/${user}-key.pem`) },
      ...extra,
    });
  const auditFile = (identity: string) => join(fleetDir, identity, 'audit.log');
  return {
    dir,
    nats,
    fleet,
    nodeNats,
    clientConfig,
    busInit: init,
    natsLog: () => (existsSync(natsLogFile) ? readFileSync(natsLogFile, 'utf8') : ''),
    env: { COHORT_CONFIG: clientConfig, COHORT_NATS: nats.url, COHORT_KEY: '' },
    operatorBus: () => busAs('operator'),
    nodeBus: () => busAs('cohortd'),
    busAs,
    clientConfigOf,
    auditFile,
    audit(identity) {
      const file = auditFile(identity);
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
    },
    async stopNode(identity) {
      await fleet.kill(identity, 'SIGTERM');
    },
    async startNode(identity) {
      const node = fleet.nodes.get(identity);
      if (!node) throw new Error(`no node ${identity}`);
      const child = spawn(process.execPath, [cohortdBin, '--config', node.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      child.stderr.on('data', (d: Buffer) => (log += d));
      // The fleet stops it with the others.
      fleet.nodes.set(identity, { ...node, process: child, log: () => log });
      await waitForSubscriptions(nats.monitorPort, [identity], 30_000, fleet.nodes);
      return () => log;
    },
    async stop() {
      await fleet.stop();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wait until `check` holds (polling), at most `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  return until('the condition', check, { timeoutMs: ms, everyMs: 50 }).then(
    () => true,
    (err: unknown) => (err instanceof WaitTimeout ? check() : Promise.reject(err)),
  );
}

export const holdAgentDir = join(repoRoot, 'test/fixtures/agents/hold');

/** A request from `callerid` (default user=operator) for web1's touch agent, its reply subject the caller's own. */
export function attackRequest(fields: Partial<RequestMessage> & { callerid?: string } = {}): RequestMessage {
  const id = fields.id ?? newRequestId();
  const callerid = fields.callerid ?? 'user=operator';
  return {
    protocol: ProtocolTag.Request,
    id,
    sender: 'attacker',
    callerid,
    collective: 'cohort',
    agent: 'touch',
    action: 'touch',
    data: {},
    filter: { fact: [], cf_class: [], agent: [], identity: [], compound: [] },
    ttl: 60,
    time: Date.now(),
    reply_to: replySubject('cohort', callerid, id),
    ...fields,
  };
}

/** The signer of an operator setup.sh made (keys/<name>.key with its certificate). */
export function operatorSigner(env: SecureFleet, name = 'operator'): Signer {
  return loadSigner({ kind: 'caller', keyFile: join(env.dir, `keys/${name}.key`) });
}

/** Sign `request` as `signer` (undefined: unsigned). */
export function requestBytes(request: RequestMessage, signer: Signer | undefined): Uint8Array {
  return signer ? encodeRequest(request, signer) : encode(request);
}

/** `rpcutil daemon_stats` of one node as the operator: its drop counters. */
export async function droppedOn(env: SecureFleet, identity: string): Promise<Record<string, number>> {
  const r = await cohort(['rpc', 'rpcutil', 'daemon_stats', '-I', identity, '--json'], { env: env.env });
  if (r.code !== 0) throw new Error(`daemon_stats on ${identity} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { replies: Array<{ data: { dropped: Record<string, number> } }> }).replies[0]!.data.dropped;
}

/** Wait (polling, generous deadline) until an async `check` holds. */
export async function eventuallyAsync(check: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const attempt = () => check().catch(() => false);
  return until('the condition', attempt, { timeoutMs: ms, everyMs: 200 }).then(
    () => true,
    (err: unknown) => (err instanceof WaitTimeout ? attempt() : Promise.reject(err)),
  );
}
