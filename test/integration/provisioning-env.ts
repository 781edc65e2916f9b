// The world of the provisioning end-to-end test: fresh cohortd processes in
// provisioning mode (bootstrap configs in temp dirs), a webhook receiver
// (node:http), an SMTP server (smtp-server), the provisioner as a real
// process (the cohort CLI), and a reader of the state bucket. Not a test file.
// As the shipped bootstrap config does, fresh nodes run in signed mode and
// trust only the provisioner's key (made once per test root), with which the
// provisioner process signs (COHORT_KEY).
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { SMTPServer } from 'smtp-server';
import { cohort, cohortBin, exampleClientConfig } from '../harness/index.js';
import { provisionerKeys } from './provision-node.js';
import { cohortdBin, waitForSubscriptions } from '../harness/fleet.js';
import { openKvStateStore, type NodeRecord, type ProvisionEvent } from '../../packages/provisioner/src/index.ts';

export const token = 'it-s3cret';

/** Whether the openssl command is there (the CA backend and the checks need it). */
export const haveOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A process with its captured stderr. */
export interface Proc {
  child: ChildProcess;
  log(): string;
  /** Signal it and wait for it to exit (SIGKILL after 30 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function spawnLogged(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d;
    if (log.length > 400_000) log = log.slice(-200_000);
  });
  return {
    child,
    log: () => log,
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', (code) => {
          clearTimeout(t);
          resolve(code);
        });
        child.kill(signal);
      });
    },
  };
}

/** The provisioner's key and the trusted keys directory fresh nodes use, under `root` (made on first use). */
export function provisionerOf(root: string): { keyFile: string; trustedDir: string } {
  const dir = join(root, 'provisioner');
  const keyFile = join(dir, 'keys', 'provisioner=test.key');
  return existsSync(keyFile) ? { keyFile, trustedDir: join(dir, 'trusted') } : provisionerKeys(dir);
}

/** A fresh node: its directory, bootstrap config, facts. */
export interface FreshNode {
  identity: string;
  dir: string;
  configFile: string;
  sslDir: string;
  hostsFile: string;
  proc: Proc;
}

/** Start cohortd processes with bootstrap configs and wait until they answer in the provisioning collective. */
export async function startFreshNodes(root: string, natsUrl: string, monitorPort: number, nodes: Array<{ identity: string; facts: Record<string, unknown>; token?: string }>): Promise<FreshNode[]> {
  const { trustedDir } = provisionerOf(root);
  const out = nodes.map(({ identity, facts, token: nodeToken }) => {
    const dir = join(root, identity);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'facts.yaml'), yaml.dump(facts));
    writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n');
    writeFileSync(join(dir, 'puppet.conf'), '[main]\n');
    const configFile = join(dir, 'cohortd.yaml');
    const sslDir = join(dir, 'ssl');
    const bootstrap = {
      identity,
      nats: { servers: [natsUrl] },
      facts: [join(dir, 'facts.yaml')],
      provisioning: { enabled: true, token: nodeToken ?? token, ssl_dir: sslDir, hosts_file: join(dir, 'hosts'), puppet_conf: join(dir, 'puppet.conf'), key_type: 'ec' },
      security: { mode: 'signed', trusted_keys_dir: trustedDir },
      logging: { level: 'info', format: 'text' },
    };
    writeFileSync(configFile, yaml.dump(bootstrap));
    return { identity, dir, configFile, sslDir, hostsFile: join(dir, 'hosts'), proc: spawnLogged([cohortdBin, '--config', configFile]) };
  });
  try {
    await waitForSubscriptions(monitorPort, out.map((n) => n.identity), 30_000, undefined, 'provisioning');
  } catch (err) {
    throw new Error(`${String(err)}\n${out.map((n) => `--- ${n.identity}\n${n.proc.log().slice(-2000)}`).join('\n')}`);
  }
  return out;
}

/** Stop a fresh node, let `edit` change its bootstrap config, start it again (same directory). */
export async function restartFreshNode(node: FreshNode, monitorPort: number, edit: (config: Record<string, unknown>) => void): Promise<void> {
  await node.proc.stop();
  const config = yaml.load(readFileSync(node.configFile, 'utf8')) as Record<string, unknown>;
  edit(config);
  writeFileSync(node.configFile, yaml.dump(config));
  node.proc = spawnLogged([cohortdBin, '--config', node.configFile]);
  await waitForSubscriptions(monitorPort, [node.identity], 30_000, undefined, 'provisioning');
}

/** The final config template of the test: production collective `cohort`, the node's own facts file. */
export function finalTemplate(root: string, natsUrl: string): string {
  return [
    'identity: {{identity|json}}',
    'collectives: [{{collective}}]',
    `nats: { servers: [${natsUrl}] }`,
    `facts: ["${root}/{{identity}}/facts.yaml"]`,
    'security: { mode: unsigned }',
    'logging: { level: info }',
    '',
  ].join('\n');
}

/** Write a pipeline file. */
export function writePipeline(file: string, settings: Record<string, unknown>): string {
  writeFileSync(file, yaml.dump(settings, { lineWidth: 200 }));
  return file;
}

/**
 * `cohort provisioner run --config FILE` as a real process, signing with the provisioner key of the pipeline
 * file's directory; `clientConfig` (default the example's) is its client config.
 */
export function startProvisioner(pipelineFile: string, natsUrl: string, clientConfig = exampleClientConfig): Proc {
  const { keyFile } = provisionerOf(dirname(pipelineFile));
  return spawnLogged([cohortBin, 'provisioner', 'run', '--config', pipelineFile, '--log-level', 'debug'], { COHORT_NATS: natsUrl, COHORT_CONFIG: clientConfig, COHORT_KEY: keyFile });
}

/** The example client config plus `issuers`: the provisioner takes masters/CAs only from nodes certified by them. */
export function trustingClientConfig(file: string, issuers: string[]): string {
  const base = yaml.load(readFileSync(exampleClientConfig, 'utf8')) as { ddl_dirs?: string[] };
  const ddlDirs = (base.ddl_dirs ?? []).map((d) => resolve(dirname(exampleClientConfig), d));
  writeFileSync(file, yaml.dump({ ...base, ddl_dirs: ddlDirs, issuers }));
  return file;
}

/** A webhook receiver: every POSTed JSON event. */
export async function webhookReceiver(): Promise<{ url: string; events: ProvisionEvent[]; close(): void }> {
  const events: ProvisionEvent[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      if (req.method === 'POST' && req.headers['content-type'] === 'application/json') events.push(JSON.parse(body) as ProvisionEvent);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/provisioned`, events, close: () => server.close() };
}

/** An SMTP server (the smtp-server package): every mail received, raw. */
export async function smtpReceiver(): Promise<{ port: number; mails: Array<{ from: string; to: string[]; raw: string }>; close(): void }> {
  const mails: Array<{ from: string; to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => server.close() };
}

/** The records of the state bucket (empty until a provisioner created it). */
export async function stateRecords(natsUrl: string, bucket = 'cohort_provisioner'): Promise<NodeRecord[]> {
  let store;
  try {
    store = await openKvStateStore({ servers: [natsUrl], bucket, create: false, timeoutMs: 3000 });
  } catch {
    return [];
  }
  try {
    return (await store.list()).map((e) => e.record);
  } finally {
    await store.close();
  }
}

/** Poll until `check` returns a value (not undefined); fails with `what` and the logs after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, logs: () => string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs().slice(-6000)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function caPem(ca: string, natsUrl: string): Promise<string> {
  const r = await cohort(['rpc', 'ca', 'info', '-I', ca, '--json'], { nats: natsUrl, timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { replies: Array<{ data: { ca: string } }> }).replies[0]!.data.ca;
}

/** The node's installed certificate (CN = identity) verifies with openssl against the CA of `region`, and not the other one. */
export async function checkCertificate(node: FreshNode, region: 'eu' | 'us', root: string, natsUrl: string): Promise<void> {
  const cert = join(node.sslDir, 'certs', `${node.identity}.pem`);
  assert.ok(existsSync(cert), `${cert} was installed`);
  for (const r of ['eu', 'us']) {
    const caFile = join(root, `ca-${r}.pem`);
    writeFileSync(caFile, await caPem(`ca-${r}`, natsUrl));
    let verified = true;
    try {
      execFileSync('openssl', ['verify', '-CAfile', caFile, cert], { stdio: 'pipe' });
    } catch {
      verified = false;
    }
    assert.equal(verified, r === region, `${node.identity}'s certificate ${r === region ? 'verifies' : 'does not verify'} against ca-${r}`);
  }
  const subject = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-subject'], { encoding: 'utf8' });
  assert.match(subject, new RegExp(`CN\\s*=\\s*${node.identity}`));
}
