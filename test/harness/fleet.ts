// Starts a fleet of real cohortd processes from node descriptors
// ({ identity, facts, classes }), as in examples/fleet/nodes/*.yaml.
// Used by the demo, the benchmarks and the integration test harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { subscribedSubjects } from './nats-server.js';
import { fleetSecurity } from './fleet-security.js';
import { waitForRegistry } from './registry.js';

export interface NodeDescriptor {
  identity: string;
  facts: Record<string, unknown>;
  classes: string[];
}

export interface FleetNode {
  identity: string;
  process: ChildProcess;
  configFile: string;
  factsFile: string;
  log(): string;
}

export interface Fleet {
  dir: string;
  nodes: Map<string, FleetNode>;
  /** Environment for the CLI: `COHORT_KEY` (the operator's key) with `secure`; with `registry`, `COHORT_CONFIG` trusting the fleet's issuer; else empty. */
  clientEnv: Record<string, string>;
  /** The issuer public key file that certified the node keys (secure or registry fleets). */
  issuer: string | undefined;
  /** Send a signal to one node and wait for it to exit. */
  kill(identity: string, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export interface FleetOptions {
  natsUrl: string;
  monitorPort: number;
  nodes: NodeDescriptor[];
  pluginDirs?: string[];
  config?: Record<string, unknown>;
  logLevel?: string;
  dir?: string;
  readyTimeoutMs?: number;
  /** Also wait until every node is in the registry (needs a JetStream-enabled nats-server). */
  registry?: boolean;
  /** Signed mode with throwaway keys (and optional actionpolicy files); default: unsigned mode. */
  secure?: boolean | { policies?: Record<string, string> };
  /** Run each node through the `cohortd` launcher, as users do (default), or as `node bin/cohortd.cjs` (false): no V8 flags, NODE_EXTRA_CA_CERTS read at start. */
  launcher?: boolean;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cohortdBin = join(repoRoot, 'packages/server/bin/cohortd.cjs');
export const cohortBin = join(repoRoot, 'packages/cli/bin/cohort.cjs');
/** The installed commands (package.json "bin"): sh launchers that run bin/cohort.cjs and bin/cohortd.cjs (with its V8 flags), as users run them. */
export const cohortLauncher = join(repoRoot, 'packages/cli/bin/cohort');
export const cohortdLauncher = join(repoRoot, 'packages/server/bin/cohortd');
export const exampleNodesDir = join(repoRoot, 'examples/fleet/nodes');
export const examplePluginDir = join(repoRoot, 'examples/agents/echo');
export const exampleClientConfig = join(repoRoot, 'examples/fleet/client.yaml');

/** How long a fleet may take to subscribe and register: a deadline, not a measurement (a shared, loaded machine is slow to start processes). */
const readyDeadlineMs = 120_000;

/** Read node descriptors from a directory of YAML files. */
export function loadNodeDescriptors(dir = exampleNodesDir): NodeDescriptor[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => yaml.load(readFileSync(join(dir, f), 'utf8')) as NodeDescriptor);
}

/** `count` synthetic nodes (for benchmarks): node-0001 ... with a few varied facts. */
export function syntheticNodes(count: number): NodeDescriptor[] {
  const roles = ['web', 'db', 'cache', 'queue'];
  return Array.from({ length: count }, (_, i) => ({
    identity: `node-${String(i + 1).padStart(4, '0')}`,
    facts: { role: roles[i % roles.length], index: i, os: { family: i % 3 ? 'Debian' : 'RedHat' } },
    classes: ['base', roles[i % roles.length]!],
  }));
}

/**
 * Start one cohortd per descriptor and wait until every node is subscribed
 * (and, with `registry`, until every node is in the registry: use it with a
 * JetStream-enabled nats-server).
 *
 * Security: by default the nodes run with `security.mode: unsigned` (tests
 * hand-craft plain requests; the CLI needs no key). With `secure` they run
 * in signed mode with throwaway keys made in the fleet dir (an issuer, the
 * operator key certified as user=operator, certified node keys, an audit log
 * per node); the CLI signs when run with `fleet.clientEnv` (COHORT_KEY).
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cohort-fleet-'));
  // With the registry, nodes get certified node keys even in unsigned mode: readers use only signed records.
  const security = options.secure || options.registry
    ? fleetSecurity(dir, options.nodes.map((n) => n.identity), typeof options.secure === 'object' ? options.secure : {})
    : undefined;
  const clientEnv: Record<string, string> = options.secure && security ? security.clientEnv : security ? { COHORT_CONFIG: trustingClientConfig(dir, security.issuerPublicKey) } : {};
  const nodes = new Map<string, FleetNode>();
  for (const node of options.nodes) {
    const nodeDir = join(dir, node.identity);
    mkdirSync(nodeDir, { recursive: true });
    const factsFile = join(nodeDir, 'facts.yaml');
    const classesFile = join(nodeDir, 'classes.txt');
    const configFile = join(nodeDir, 'server.yaml');
    writeFileSync(factsFile, yaml.dump(node.facts));
    writeFileSync(classesFile, node.classes.join('\n') + '\n');
    const config = {
      identity: node.identity,
      nats: { servers: [options.natsUrl] },
      facts: [factsFile],
      classes_file: classesFile,
      plugin_dirs: options.pluginDirs ?? [examplePluginDir],
      logging: { level: options.logLevel ?? 'warn', format: 'text' },
      security: options.secure && security ? security.nodeConfig : security ? { mode: 'unsigned', node_key: 'node.key' } : { mode: 'unsigned' },
      ...(options.config ?? {}),
    };
    writeFileSync(configFile, yaml.dump(config));
    nodes.set(node.identity, launch(node.identity, configFile, factsFile, options.launcher ?? true));
  }
  await waitForSubscriptions(options.monitorPort, [...nodes.keys()], options.readyTimeoutMs ?? readyDeadlineMs, nodes);
  if (options.registry) {
    await waitForRegistry(options.natsUrl, [...nodes.keys()], { timeoutMs: options.readyTimeoutMs ?? readyDeadlineMs, onWait: () => failIfExited(nodes) });
  }
  return {
    dir,
    nodes,
    /**
     * Environment for the CLI: the operator's signing key when `secure`; with
     * `registry` (unsigned), a client config trusting the fleet's issuer (so
     * registry records verify); else nothing.
     */
    clientEnv,
    /** The issuer public key that certified the node keys (secure or registry fleets). */
    issuer: security?.issuerPublicKey,
    async kill(identity, signal = 'SIGKILL') {
      const n = nodes.get(identity);
      if (!n) throw new Error(`no node ${identity}`);
      const exited = new Promise((r) => (n.process.exitCode !== null || n.process.signalCode !== null ? r(undefined) : n.process.once('exit', r)));
      n.process.kill(signal);
      await exited;
    },
    async stop() {
      await Promise.all(
        [...nodes.values()].map(
          (n) =>
            new Promise((resolve) => {
              if (n.process.exitCode !== null || n.process.signalCode !== null) return resolve(undefined);
              const t = setTimeout(() => n.process.kill('SIGKILL'), 5000);
              n.process.once('exit', () => {
                clearTimeout(t);
                resolve(undefined);
              });
              n.process.kill('SIGTERM');
            }),
        ),
      );
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The example client config plus `issuers: [issuer]`, written into the fleet dir. */
function trustingClientConfig(dir: string, issuer: string): string {
  const file = join(dir, 'client.yaml');
  const base = yaml.load(readFileSync(exampleClientConfig, 'utf8')) as { ddl_dirs?: string[] };
  const ddlDirs = (base.ddl_dirs ?? []).map((d) => resolve(dirname(exampleClientConfig), d));
  writeFileSync(file, yaml.dump({ ...base, ddl_dirs: ddlDirs, issuers: [issuer] }));
  return file;
}

/** One node as users run it, through the `cohortd` launcher (FleetOptions.launcher). */
function launch(identity: string, configFile: string, factsFile: string, launcher: boolean): FleetNode {
  const child = launcher
    ? spawn(cohortdLauncher, ['--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, [cohortdBin, '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => {
    log += d;
    if (log.length > 200000) log = log.slice(-100000);
  });
  return { identity, process: child, configFile, factsFile, log: () => log };
}

function failIfExited(nodes: Map<string, FleetNode>): void {
  for (const n of nodes.values()) if (n.process.exitCode !== null) throw new Error(`cohortd ${n.identity} exited with ${n.process.exitCode}:\n${n.log()}`);
}

/** Wait until each identity's node subject is subscribed on the server. */
export async function waitForSubscriptions(monitorPort: number, identities: string[], timeoutMs: number, nodes?: Map<string, FleetNode>, collective = 'cohort'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const subs = await subscribedSubjects(monitorPort);
    const missing = identities.filter((id) => !subs.has(`${collective}.node.${id}`));
    if (missing.length === 0 && (subs.get(`${collective}.broadcast.agent.rpcutil`) ?? 0) >= identities.length) return;
    for (const id of missing) {
      const n = nodes?.get(id);
      if (n && n.process.exitCode !== null) throw new Error(`cohortd ${id} exited with ${n.process.exitCode}:\n${n.log()}`);
    }
    if (Date.now() > deadline) throw new Error(`nodes not ready after ${timeoutMs} ms: ${missing.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
