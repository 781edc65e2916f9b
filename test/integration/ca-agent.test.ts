// The ca agent on a real cohortd with the openssl backend: a CSR made with
// openssl here is signed through the cohort CLI, and the certificate verifies
// (openssl verify) against the CA that `info` reports. A second node without
// ca.enabled does not host the agent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cohort, expectedRpcExit, startFleet, startNatsServer, type Fleet, type NatsServer } from '../harness/index.js';

interface Reply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

let nats: NatsServer;
const fleets: Fleet[] = [];
const dir = mkdtempSync(join(tmpdir(), 'cohort-ca-it-'));
const caDir = join(dir, 'ca');

before(async () => {
  nats = await startNatsServer();
  const node = (identity: string) => ({ identity, facts: { role: 'ca' }, classes: [] });
  fleets.push(await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes: [node('ca1')], config: { ca: { enabled: true, backend: 'openssl', dir: caDir, days: 7 } } }));
  fleets.push(await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes: [node('plain1')] }));
});

after(async () => {
  for (const fleet of fleets) await fleet.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(action: string, inputs: Record<string, string> = {}, identity = 'ca1'): Promise<Reply[]> {
  const args = Object.entries(inputs).map(([k, v]) => `${k}=${v}`);
  const r = await cohort(['rpc', 'ca', action, ...args, '-I', identity, '--json'], { nats: nats.url, timeoutMs: 60_000 });
  const logs = fleets.map((f) => [...f.nodes.values()].map((n) => n.log()).join('\n')).join('\n');
  assert.ok(r.code === 0 || r.code === 1, `cohort rpc ca ${action} exited ${r.code}: ${r.stderr}\n${logs.slice(-3000)}`);
  const out = JSON.parse(r.stdout) as { replies: Reply[]; stats: { discovered: number; responded: number; failed: number } };
  assert.equal(r.code, expectedRpcExit(out.stats), `exit code of cohort rpc ca ${action} for its replies`);
  return out.replies;
}

async function ok(action: string, inputs: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const replies = await call(action, inputs);
  assert.equal(replies.length, 1, `one reply expected: ${JSON.stringify(replies)}`);
  const reply = replies[0] as Reply;
  assert.equal(reply.statuscode, 0, `ca ${action}: ${reply.statusmsg}`);
  return reply.data;
}

function csrFor(name: string, subject: string): string {
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], { stdio: 'pipe' });
  return execFileSync('openssl', ['req', '-new', '-key', key, '-subj', subject], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function opensslVerify(caPem: string, certPem: string): string {
  writeFileSync(join(dir, 'ca.pem'), caPem);
  writeFileSync(join(dir, 'cert.pem'), certPem);
  return execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'cert.pem')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('only the node with ca.enabled hosts the ca agent', async () => {
  const r = await cohort(['find', '-A', 'ca'], { nats: nats.url });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['ca1']);
});

test('sign through the client: the certificate verifies against the CA info reports; sign is idempotent; clean removes it', async () => {
  const info = await ok('info');
  assert.equal(info['backend'], 'openssl');
  assert.match(String(info['ca']), /-----BEGIN CERTIFICATE-----/);
  assert.match(String(info['fingerprint']), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal(statSync(join(caDir, 'ca.key')).mode & 0o777, 0o600);

  const csr = csrFor('web1', '/CN=web1.example.net');
  const signed = await ok('sign', { certname: 'web1.example.net', csr });
  assert.equal(signed['ca'], info['ca']);
  assert.match(opensslVerify(String(info['ca']), String(signed['certificate'])), /cert\.pem: OK/);
  const text = execFileSync('openssl', ['x509', '-noout', '-subject', '-ext', 'subjectAltName,extendedKeyUsage'], { input: String(signed['certificate']), encoding: 'utf8' });
  assert.match(text, /CN ?= ?web1\.example\.net/);
  assert.match(text, /DNS:web1\.example\.net/);
  assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);

  const again = await ok('sign', { certname: 'web1.example.net', csr });
  assert.equal(again['serial'], signed['serial']);
  assert.equal(again['certificate'], signed['certificate']);
  assert.deepEqual(await ok('list'), { requests: [], signed: ['web1.example.net'] });

  const wrong = (await call('sign', { certname: 'db1.example.net', csr }))[0];
  assert.equal(wrong?.statuscode, 1);
  assert.match(String(wrong?.statusmsg), /CN 'web1\.example\.net' does not match certname 'db1\.example\.net'/);
  const badName = await cohort(['rpc', 'ca', 'sign', 'certname=../etc/passwd', `csr=${csr}`, '-I', 'ca1'], { nats: nats.url });
  assert.equal(badName.code, 2, `a certname that is not a plain name is refused before it reaches the node: ${badName.stderr}`);
  assert.match(badName.stderr, /certname/);

  assert.deepEqual(await ok('clean', { certname: 'web1.example.net' }), { cleaned: true });
  assert.deepEqual(await ok('clean', { certname: 'web1.example.net' }), { cleaned: false });
  assert.deepEqual(await ok('list'), { requests: [], signed: [] });
  const fresh = await ok('sign', { certname: 'web1.example.net', csr });
  assert.notEqual(fresh['serial'], signed['serial']);
});
