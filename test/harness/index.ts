/**
 * Integration test harness: a private nats-server on a free loopback port, a
 * fleet of real cohortd processes, and a runner for the real `cohort` CLI.
 * The launchers are shared with the demo and benchmarks (through scripts/harness.mjs).
 */
import { spawn } from 'node:child_process';
import { startNatsServer, type NatsServer } from './nats-server.js';
import { cohortBin, exampleClientConfig, loadNodeDescriptors, startFleet, type Fleet, type FleetOptions } from './fleet.js';

export { startNatsServer, startNatsCluster, subscribedSubjects, findNatsServer, freePort, type NatsServer, type NatsCluster, type NatsClusterMember } from './nats-server.js';
export { waitForRegistry } from './registry.js';
export {
  startFleet,
  loadNodeDescriptors,
  syntheticNodes,
  repoRoot,
  cohortBin,
  cohortdBin,
  cohortLauncher,
  cohortdLauncher,
  waitForSubscriptions,
  examplePluginDir,
  exampleClientConfig,
  type Fleet,
  type FleetNode,
  type FleetOptions,
  type NodeDescriptor,
} from './fleet.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * The client config the CLI runs with unless `env` says otherwise: the
 * example's, or while an {@link exampleFleet} runs, the example's plus that
 * fleet's issuer (so registry records verify and registry discovery is used).
 */
let defaultClientConfig = exampleClientConfig;

/** Run the real `cohort` CLI against a server; never hangs (killed after `timeoutMs`). */
export function cohort(args: string[], options: { nats?: string; input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cohortBin, ...args], {
      env: { ...process.env, NO_COLOR: '1', COHORT_CONFIG: defaultClientConfig, ...(options.nats ? { COHORT_NATS: options.nats } : {}), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * A started bus (JetStream on, for the registry) plus the example fleet (five
 * nodes from examples/fleet/nodes, all registered before it returns), torn
 * down by `stop`.
 */
export async function exampleFleet(extra: Partial<FleetOptions> = {}): Promise<{ nats: NatsServer; fleet: Fleet; stop(): Promise<void> }> {
  const nats = await startNatsServer({ jetstream: true });
  try {
    const fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes: loadNodeDescriptors(), registry: true, ...extra });
    defaultClientConfig = fleet.clientEnv['COHORT_CONFIG'] ?? exampleClientConfig;
    return {
      nats,
      fleet,
      async stop() {
        defaultClientConfig = exampleClientConfig;
        await fleet.stop();
        await nats.stop();
      },
    };
  } catch (err) {
    await nats.stop();
    throw err;
  }
}

/**
 * The exit code `cohort rpc` must give for these statistics (README: 0 when
 * every discovered node replied OK, 1 when a reply failed or a node did not
 * reply): helpers check each call's exit code against its own replies
 * instead of accepting "0 or 1" for every call.
 */
export function expectedRpcExit(stats: { discovered: number; responded: number; failed: number }): 0 | 1 {
  return stats.responded === stats.discovered && stats.failed === 0 ? 0 : 1;
}
export { until, untilValue, WaitTimeout } from './wait.js';
