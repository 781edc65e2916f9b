// Starts a fleet of real cohortd processes from node descriptors
// ({ identity, facts, classes }), as in examples/fleet/nodes/*.yaml.
// Used by the demo, the benchmarks and the integration test harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** Environment for the CLI: `COHORT_KEY` (the operator's key) with `secure`, else empty. */
  clientEnv: Record<string, string>;
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
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cohortdBin = join(repoRoot, 'packages/server/bin/cohortd.js');
export const cohortBin = join(repoRoot, 'packages/cli/bin/cohort.js');
export const exampleNodesDir = join(repoRoot, 'examples/fleet/nodes');
export const examplePluginDir = join(repoRoot, 'examples/agents/echo');
export const exampleClientConfig = join(repoRoot, 'examples/fleet/client.yaml');

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
  const security = options.secure
    ? fleetSecurity(dir, options.nodes.map((n) => n.identity), typeof options.secure === 'object' ? options.secure : {})
    : undefined;
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
      security: security ? security.nodeConfig : { mode: 'unsigned' },
      ...(options.config ?? {}),
    };
    writeFileSync(configFile, yaml.dump(config));
    nodes.set(node.identity, launch(node.identity, configFile, factsFile));
  }
  await waitForSubscriptions(options.monitorPort, [...nodes.keys()], options.readyTimeoutMs ?? 30000, nodes);
  if (options.registry) {
    await waitForRegistry(options.natsUrl, [...nodes.keys()], { timeoutMs: options.readyTimeoutMs ?? 30000, onWait: () => failIfExited(nodes) });
  }
  return {
    dir,
    nodes,
    /** Environment for the CLI: the operator's signing key when `secure`, else nothing. */
    clientEnv: security ? security.clientEnv : {},
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

function launch(identity: string, configFile: string, factsFile: string): FleetNode {
  const child = spawn(process.execPath, [cohortdBin, '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
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
