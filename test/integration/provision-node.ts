// One real cohortd in provisioning mode for the provision agent tests: a temp
// directory with a bootstrap config (every provisioning path inside it) and
// a fake puppet command, launched like the harness launches fleets. As the
// shipped bootstrap config does, the node runs in signed mode and trusts one
// provisioner key (provisioner=test), with which the tests' CLI calls sign
// (`node.env`: COHORT_KEY).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohortdBin, waitForSubscriptions, type FleetNode } from '../harness/fleet.js';
import { after, before } from 'node:test';
import { generateKeyPair, writeKeyPair } from '@cohort/core';
import { cohort, expectedRpcExit, startNatsServer, type NatsServer } from '../harness/index.js';

/** The caller id the provisioner's key speaks for (its file name). */
export const provisionerCaller = 'provisioner=test';

/** A provisioner key in `dir/keys` and a trusted keys directory `dir/trusted` holding its public half. */
export function provisionerKeys(dir: string): { keyFile: string; trustedDir: string } {
  const keys = join(dir, 'keys');
  const trustedDir = join(dir, 'trusted');
  mkdirSync(keys, { recursive: true, mode: 0o700 });
  mkdirSync(trustedDir, { recursive: true });
  const { keyFile, publicFile } = writeKeyPair(join(keys, provisionerCaller), generateKeyPair());
  copyFileSync(publicFile, join(trustedDir, `${provisionerCaller}.pub`));
  return { keyFile, trustedDir };
}

export interface ProvisionNode {
  identity: string;
  dir: string;
  configFile: string;
  sslDir: string;
  hostsFile: string;
  puppetConf: string;
  /** The fake puppet writes its arguments here; its exit code and output come from `puppetExit` and `puppetOutput`. */
  puppetArgs: string;
  puppetExit: string;
  puppetOutput: string;
  /** Write a real puppet's path here to have the fake run it. */
  puppetReal: string;
  process: ChildProcess;
  /** The provisioner's signing key, and the CLI environment that signs with it. */
  provisionerKey: string;
  env: Record<string, string>;
  /** The node's audit log. */
  auditFile: string;
  log(): string;
  /** Wait until the node answers in `collective` (its node subject and rpcutil subscribed). */
  ready(collective: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// Prints the canned output, records its arguments, exits with the canned code: enough to test run_puppet's mapping.
// When puppet-real.txt names a real puppet, runs that instead.
const fakePuppet = `#!/bin/sh
dir=$(dirname "$0")
echo "$@" > "$dir/puppet-args.txt"
if [ -s "$dir/puppet-real.txt" ]; then exec "$(cat "$dir/puppet-real.txt")" "$@"; fi
cat "$dir/puppet-output.txt"
exit "$(cat "$dir/puppet-exit.txt")"
`;

/** Start cohortd with a bootstrap config (provisioning.enabled) on `natsUrl`; resolves once it answers in `provisioning`. */
export async function startProvisionNode(options: {
  natsUrl: string;
  monitorPort: number;
  identity?: string;
  token?: string;
  extra?: Record<string, unknown>;
  /** Replaces the signed-mode security section. */
  security?: Record<string, unknown>;
}): Promise<ProvisionNode> {
  const identity = options.identity ?? 'fresh1';
  const dir = mkdtempSync(join(tmpdir(), 'cohort-provision-'));
  const etc = join(dir, 'etc');
  mkdirSync(etc);
  const paths = {
    configFile: join(etc, 'cohortd.yaml'),
    sslDir: join(dir, 'ssl'),
    hostsFile: join(etc, 'hosts'),
    puppetConf: join(etc, 'puppet.conf'),
    puppetArgs: join(dir, 'puppet-args.txt'),
    puppetExit: join(dir, 'puppet-exit.txt'),
    puppetOutput: join(dir, 'puppet-output.txt'),
    puppetReal: join(dir, 'puppet-real.txt'),
  };
  writeFileSync(paths.hostsFile, '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
  writeFileSync(join(dir, 'puppet'), fakePuppet);
  chmodSync(join(dir, 'puppet'), 0o755);
  writeFileSync(paths.puppetExit, '0\n');
  writeFileSync(paths.puppetOutput, '');
  const { keyFile, trustedDir } = provisionerKeys(dir);
  const auditFile = join(dir, 'audit.log');
  const config = {
    identity,
    nats: { servers: [options.natsUrl] },
    provisioning: {
      enabled: true,
      ...(options.token ? { token: options.token } : {}),
      ssl_dir: paths.sslDir,
      hosts_file: paths.hostsFile,
      puppet_conf: paths.puppetConf,
      puppet_command: join(dir, 'puppet'),
      restart_timeout: 3,
      provisioners: [provisionerCaller],
      ...(options.extra ?? {}),
    },
    security: options.security ?? { mode: 'signed', trusted_keys_dir: trustedDir, audit_file: auditFile },
    registration: { interval: 2, ttl: 10 },
    logging: { level: 'info', format: 'text' },
  };
  writeFileSync(paths.configFile, yaml.dump(config));
  const child = spawn(process.execPath, [cohortdBin, '--config', paths.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
    if (log.length > 400_000) log = log.slice(-200_000);
  });
  const fleetNode: FleetNode = { identity, process: child, configFile: paths.configFile, factsFile: '', log: () => log };
  const node: ProvisionNode = {
    identity,
    dir,
    ...paths,
    process: child,
    provisionerKey: keyFile,
    env: { COHORT_KEY: keyFile },
    auditFile,
    log: () => log,
    ready: (collective, timeoutMs = 30_000) => waitForSubscriptions(options.monitorPort, [identity], timeoutMs, new Map([[identity, fleetNode]]), collective),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(kill);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await node.ready('provisioning');
  } catch (err) {
    await node.stop();
    throw err;
  }
  return node;
}

/** One reply as `cohort rpc --json` prints it. */
export interface Reply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

type Inputs = Record<string, string | number | boolean>;

/** Requests to one node through the real CLI, by identity, with the provisioning token on provision actions. */
export function nodeClient(natsUrl: string, node: ProvisionNode, token: string) {
  /** One request; resolves to the node's single reply. */
  async function call(agent: string, action: string, inputs: Inputs, collective = 'provisioning', withToken = agent === 'provision'): Promise<Reply> {
    const args = Object.entries({ ...(withToken ? { token } : {}), ...inputs }).map(([k, v]) => `${k}=${String(v)}`);
    const r = await cohort(['rpc', agent, action, ...args, '-T', collective, '-I', node.identity, '--json'], { nats: natsUrl, timeoutMs: 60_000, env: node.env });
    assert.ok(r.code === 0 || r.code === 1, `cohort rpc ${agent} ${action} exited ${r.code}: ${r.stderr}\n${node.log().slice(-3000)}`);
    const out = JSON.parse(r.stdout) as { replies: Reply[]; stats: { discovered: number; responded: number; failed: number } };
    assert.equal(r.code, expectedRpcExit(out.stats), `exit code of cohort rpc ${agent} ${action} for its replies`);
    assert.equal(out.replies.length, 1, `one reply expected: ${r.stdout}`);
    return out.replies[0] as Reply;
  }
  /** A provision action that must succeed; resolves to its outputs. */
  async function ok(action: string, inputs: Inputs = {}): Promise<Record<string, unknown>> {
    const reply = await call('provision', action, inputs);
    assert.equal(reply.statuscode, 0, `provision ${action}: ${reply.statusmsg}`);
    return reply.data;
  }
  /** The daemon's pid and start time, asked in `collective`. */
  async function daemonStats(collective: string): Promise<{ pid: number; starttime: number }> {
    const reply = await call('rpcutil', 'daemon_stats', {}, collective);
    assert.equal(reply.statuscode, 0, reply.statusmsg);
    return { pid: Number(reply.data['pid']), starttime: Number(reply.data['starttime']) };
  }
  return { call, ok, daemonStats };
}

/**
 * One nats-server (JetStream) and one provisioning-mode node for a test file:
 * started before its tests and stopped after them (the hooks are registered
 * here). Read the fields inside tests, once `before` has run.
 */
export function provisionNodeFixture(token: string): { nats: NatsServer; node: ProvisionNode; client: ReturnType<typeof nodeClient> } {
  const f = {} as { nats: NatsServer; node: ProvisionNode; client: ReturnType<typeof nodeClient> };
  before(async () => {
    f.nats = await startNatsServer({ jetstream: true });
    f.node = await startProvisionNode({ natsUrl: f.nats.url, monitorPort: f.nats.monitorPort, token });
    f.client = nodeClient(f.nats.url, f.node, token);
  });
  after(async () => {
    await f.node?.stop();
    await f.nats?.stop();
  });
  return f;
}
