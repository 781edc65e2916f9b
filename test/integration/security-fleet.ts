// A secured fleet for the security tests: examples/secure/setup.sh makes a CA,
// certificates, NATS users, an issuer and the operator's certified key; a real
// nats-server runs with that TLS + authorization config; real cohortd nodes
// run in signed mode with node keys certified by the issuer, policies and an
// audit log each. Not a test file itself.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { connect, type NatsConnection } from 'nats';
import { type AuditRecord } from '@cohort/core';
import { cohortBin, examplePluginDir, repoRoot, startFleet, startNatsServer, type Fleet, type NatsServer } from '../harness/index.js';

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
  /** Environment for the CLI: the operator's config and this server. */
  env: Record<string, string>;
  /** A NATS connection with the operator's credentials (publishes requests, reads user=operator replies). */
  operatorBus(): Promise<NatsConnection>;
  /** A NATS connection with the daemons' credentials (a compromised node). */
  nodeBus(): Promise<NatsConnection>;
  audit(identity: string): AuditRecord[];
  stop(): Promise<void>;
}

const policy = 'policy default deny\nallow\tuser=operator\ttouch\trole=web\t*\n';

/** Set up and start everything; `nodes` are identities with their role fact. */
export async function startSecureFleet(nodes: Array<{ identity: string; role: string }>): Promise<SecureFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-secure-'));
  execFileSync('sh', [join(repoRoot, 'examples/secure/setup.sh'), dir], { stdio: 'pipe' });
  writeFileSync(join(dir, 'policies', 'touch.policy'), policy);
  const server = yaml.load(readFileSync(join(dir, 'server.yaml'), 'utf8')) as { nats: NatsSection; security: Record<string, unknown> };
  const fleetDir = join(dir, 'fleet');
  // Node keys made and certified before the nodes start (cohortd would create an uncertified one).
  for (const { identity } of nodes) {
    mkdirSync(join(fleetDir, identity), { recursive: true });
    execFileSync(process.execPath, [cohortBin, 'keys', 'generate', 'node', '--dir', join(fleetDir, identity)], { stdio: 'pipe' });
    execFileSync(process.execPath, [cohortBin, 'keys', 'sign', '--issuer', join(dir, 'keys/issuer.key'), '--node', identity, join(fleetDir, identity, 'node.pub')], { stdio: 'pipe' });
  }
  const nats = await startNatsServer({ args: ['-c', join(dir, 'nats-server.conf')] });
  const nodeNats: NatsSection = { ...server.nats, servers: [nats.url] };
  let fleet: Fleet;
  try {
    fleet = await startFleet({
      natsUrl: nats.url,
      monitorPort: nats.monitorPort,
      dir: fleetDir,
      logLevel: 'info',
      nodes: nodes.map(({ identity, role }) => ({ identity, facts: { role }, classes: [] })),
      pluginDirs: [examplePluginDir, touchAgentDir],
      // Relative paths resolve per node (each node's config file is in fleet/<identity>/).
      config: { nats: nodeNats, security: { ...server.security, node_key: 'node.key', audit_file: 'audit.log' } },
    });
  } catch (err) {
    await nats.stop();
    throw err;
  }
  const clientConfig = join(dir, 'client.yaml');
  const busAs = (user: 'operator' | 'cohortd', password: string) =>
    connect({
      servers: nats.url,
      user,
      pass: password,
      tls: { caFile: join(dir, 'tls/ca.pem'), certFile: join(dir, `tls/${user}.pem`), keyFile: join(dir, `tls/${user}-key.pem`) },
    });
  const client = yaml.load(readFileSync(clientConfig, 'utf8')) as { nats: { password: string } };
  return {
    dir,
    nats,
    fleet,
    nodeNats,
    clientConfig,
    env: { COHORT_CONFIG: clientConfig, COHORT_NATS: nats.url, COHORT_KEY: '' },
    operatorBus: () => busAs('operator', client.nats.password),
    nodeBus: () => busAs('cohortd', server.nats.password),
    audit(identity) {
      const file = join(fleetDir, identity, 'audit.log');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
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
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
