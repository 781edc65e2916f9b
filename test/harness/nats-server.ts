// Starts a private nats-server on a free loopback port: used by the test
// harness, the demo and the benchmarks. The server can be killed for fault tests.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo } from 'node:net';

export interface NatsServer {
  url: string;
  port: number;
  monitorPort: number;
  process: ChildProcess;
  stop(): Promise<void>;
  kill(): void;
}

export interface NatsServerOptions {
  args?: string[];
  port?: number;
  monitorPort?: number;
  jetstream?: boolean;
  storeDir?: string;
}

export interface NatsClusterMember {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly running: boolean;
  /** Start (again) on the same ports; no-op when running. */
  start(): Promise<void>;
  /** SIGKILL and wait for the process to exit. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsCluster {
  readonly members: NatsClusterMember[];
  readonly urls: string[];
  /** Wait until every running member has a route to every other running member. */
  waitForRoutes(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Locate the nats-server binary ($NATS_SERVER, PATH, /usr/sbin, /usr/local/bin). */
export function findNatsServer(): string | undefined {
  const candidates = [process.env['NATS_SERVER'], '/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  try {
    return execFileSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Ask the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Start nats-server on free ports (client + HTTP monitoring). With `jetstream`
 * (needed by the registry), its store is a fresh temp dir (unless `storeDir`
 * is given) that is removed when the server exits.
 * `port` and `monitorPort` pin the ports (to restart a server where it was).
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer();
  if (!bin) {
    throw new Error('nats-server not found: install it (Debian: apt-get install -y nats-server) or set NATS_SERVER=/path/to/nats-server');
  }
  const port = options.port ?? (await freePort());
  const monitorPort = options.monitorPort ?? (await freePort());
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), ...(options.args ?? [])];
  const ownStore = options.jetstream && !options.storeDir ? mkdtempSync(join(tmpdir(), 'cohort-js-')) : undefined;
  if (options.jetstream) args.push('-js', '-sd', (options.storeDir ?? ownStore)!);
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (ownStore) child.once('exit', () => rmSync(ownStore, { recursive: true, force: true }));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 20000) stderr += d;
  });
  const deadline = Date.now() + 10000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start listening on ${port} within 10 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const exited = new Promise((r) => child.once('exit', r));
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorPort,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/**
 * Subjects currently subscribed on the server (from the monitoring endpoint), with counts.
 */
export async function subscribedSubjects(monitorPort: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${monitorPort}/connz?subs=1&limit=100000`);
  const body = (await res.json()) as { connections?: Array<{ subscriptions_list?: string[] }> };
  const counts = new Map<string, number>();
  for (const c of body.connections ?? []) for (const s of c.subscriptions_list ?? []) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

/**
 * Start an `n`-server NATS cluster on loopback: every server has its own
 * client, cluster (route) and monitoring port (all free ephemeral ports) and
 * routes to all the others, so the cluster is a full mesh. Each member can be
 * killed (SIGKILL) and restarted on the same ports. Resolves once every route
 * is up. No JetStream (a JetStream cluster needs a meta-group quorum).
 */
export async function startNatsCluster(n = 3): Promise<NatsCluster> {
  const name = `cohort-test-${process.pid}`;
  const specs: Array<{ name: string; port: number; clusterPort: number; monitorPort: number }> = [];
  for (let i = 0; i < n; i++) specs.push({ name: `n${i + 1}`, port: await freePort(), clusterPort: await freePort(), monitorPort: await freePort() });
  const argsFor = (spec: (typeof specs)[number]): string[] => [
    '--name', spec.name, '--cluster_name', name,
    '--cluster', `nats://127.0.0.1:${spec.clusterPort}`,
    '--routes', specs.filter((o) => o !== spec).map((o) => `nats://127.0.0.1:${o.clusterPort}`).join(','),
  ];
  const members = specs.map((spec): NatsClusterMember => {
    let server: NatsServer | undefined;
    return {
      ...spec,
      url: `nats://127.0.0.1:${spec.port}`,
      get running() {
        return server !== undefined && server.process.exitCode === null && server.process.signalCode === null;
      },
      async start() {
        if (this.running) return;
        server = await startNatsServer({ port: spec.port, monitorPort: spec.monitorPort, args: argsFor(spec) });
      },
      /** SIGKILL, and wait until the process is gone. */
      async kill() {
        const s = server;
        if (!s || !this.running) return;
        const exited = new Promise((r) => s.process.once('exit', r));
        s.kill();
        await exited;
      },
      async stop() {
        await server?.stop();
      },
    };
  });
  const cluster: NatsCluster = {
    members,
    urls: members.map((m) => m.url),
    /** Wait until every running member has a route to every other running member. */
    async waitForRoutes(timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const up = members.filter((m) => m.running);
        const counts = await Promise.all(up.map((m) => routeCount(m.monitorPort)));
        if (counts.every((c) => c >= up.length - 1)) return;
        if (Date.now() > deadline) throw new Error(`NATS cluster routes not up after ${timeoutMs} ms: ${up.map((m, i) => `${m.name}=${counts[i]}`).join(', ')} (want ${up.length - 1} each)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
    await cluster.waitForRoutes();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

async function routeCount(monitorPort: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/routez`);
    const body = (await res.json()) as { num_routes?: number };
    return body.num_routes ?? 0;
  } catch {
    return 0;
  }
}
