// The security review's attacks on provisioning (issue 12, finding 9), on
// real processes. The bootstrap config used to be one static token in every
// image, sent to whatever answered on provisioning.node.<id>, and the node
// chose the certname the CA signed. Now the node trusts only its
// provisioner's key: a bus user who captured the token (or a whole signed
// request) cannot drive it, a trusted key that is not a provisioner is
// refused, an unsigned bootstrap node acts on nothing, the node cannot ask for
// another name, and the CA never issues a name to a second key.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import {
  createSigner,
  encode,
  encodeRequest,
  generateKeyPair,
  loadSigner,
  newRequestId,
  nodeSubject,
  ProtocolTag,
  publicKeyPem,
  replySubject,
  type AuditRecord,
  type RequestMessage,
} from '@cohort/core';
import { cohort, startFleet, untilValue, type Fleet } from '../harness/index.js';
import { haveOpenssl } from './provisioning-env.ts';
import { provisionerCaller, provisionNodeFixture, startProvisionNode, type ProvisionNode } from './provision-node.js';

const token = 'captured-token';
const f = provisionNodeFixture(token);
let bus: NatsConnection | undefined;
let ca: Fleet | undefined;
const work = mkdtempSync(join(tmpdir(), 'cohort-provision-attacks-'));

/** A plain connection to the test's nats-server (a bus user; no NATS permissions in this test). */
async function busConn(): Promise<NatsConnection> {
  bus ??= await connect({ servers: f.nats.url });
  return bus;
}
after(async () => {
  await bus?.close();
  await ca?.stop();
  rmSync(work, { recursive: true, force: true });
});

function request(action: string, data: Record<string, unknown>, callerid: string): RequestMessage {
  const id = newRequestId();
  return {
    protocol: ProtocolTag.Request,
    id,
    sender: 'mallory-laptop',
    callerid,
    collective: 'provisioning',
    agent: 'provision',
    action,
    data,
    filter: { fact: [], cf_class: [], agent: [], identity: [f.node.identity], compound: [] },
    ttl: 60,
    time: Date.now(),
    reply_to: replySubject('provisioning', callerid, id),
  };
}

function audit(node: ProvisionNode = f.node): AuditRecord[] {
  if (!existsSync(node.auditFile)) return [];
  return readFileSync(node.auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
}

function until<T>(what: string, check: () => T | undefined, ms = 30_000): Promise<T> {
  return untilValue(what, check, { timeoutMs: ms, everyMs: 50, log: () => f.node.log(), logName: 'cohortd log' });
}

/**
 * Publish `bytes` for `req` to the node; resolves once the node has audited the
 * request (its verdict), with any replies that came in by then (a reply is
 * published after the audit line, so an allowed request is awaited until it replies).
 */
async function send(bytes: Uint8Array, req: RequestMessage, audits = 1): Promise<{ replies: Array<{ statuscode: number; statusmsg: string }>; lines: AuditRecord[] }> {
  const replies: Array<{ statuscode: number; statusmsg: string }> = [];
  const bus = await busConn();
  const sub = bus.subscribe(req.reply_to, {
    callback: (_e, m) => {
      const body = JSON.parse(new TextDecoder().decode(m.data)) as { reply?: string; statuscode?: number; statusmsg?: string };
      const reply = (body.reply ? JSON.parse(body.reply) : body) as { statuscode: number; statusmsg: string };
      replies.push(reply);
    },
  });
  await bus.flush();
  bus.publish(nodeSubject('provisioning', f.node.identity), bytes);
  const lines = await until(`the audit line of ${req.id}`, () => {
    const mine = audit().filter((a) => a.request_id === req.id);
    return mine.length >= audits ? mine : undefined;
  });
  if (lines[lines.length - 1]?.outcome === 'allowed') await until(`the reply to ${req.id}`, () => (replies.length > 0 ? true : undefined));
  sub.unsubscribe();
  return { replies, lines };
}

async function lockOwner(): Promise<string> {
  return String((await f.client.ok('status'))['lock_owner']);
}

describe('provisioning under attack', () => {
  test('a bus user replaying the captured bootstrap token cannot drive the node: unsigned or signed by its own key, it is refused and audited', async () => {
    const unsigned = request('lock', { token, owner: 'mallory', ttl: 3600 }, 'user=mallory');
    const plain = await send(encode(unsigned), unsigned);
    assert.deepEqual(plain.replies, [], 'no reply to an unsigned request');
    assert.equal(plain.lines[0]?.outcome, 'refused');
    assert.match(plain.lines[0]?.reason ?? '', /not signed/);

    const mallory = createSigner(generateKeyPair().privateKey, provisionerCaller); // claims to be the provisioner
    const forged = request('configure', { token, config: 'identity: owned\n' }, provisionerCaller);
    const own = await send(encodeRequest(forged, mallory), forged);
    assert.deepEqual(own.replies, []);
    assert.equal(own.lines[0]?.outcome, 'refused');
    assert.match(own.lines[0]?.reason ?? '', /unknown key/);

    assert.equal(await lockOwner(), '', 'the node was not locked by anyone');
    assert.doesNotMatch(readFileSync(f.node.configFile, 'utf8'), /owned/);
  });

  test("a captured request signed by the provisioner cannot be replayed: it ran once, the copy is refused", async () => {
    const provisioner = loadSigner({ kind: 'caller', keyFile: f.node.provisionerKey });
    const genuine = request('lock', { token, owner: 'prov-captured', ttl: 3600 }, provisionerCaller);
    const bytes = encodeRequest(genuine, provisioner);
    const first = await send(bytes, genuine);
    assert.equal(first.replies[0]?.statuscode, 0, first.replies[0]?.statusmsg);
    assert.equal(await lockOwner(), 'prov-captured');
    await f.client.ok('unlock', { owner: 'prov-captured' });
    const replay = await send(bytes, genuine, 2);
    assert.deepEqual(replay.replies, [], 'no reply to the replay');
    assert.deepEqual(replay.lines.map((l) => l.outcome), ['allowed', 'refused']);
    assert.match(replay.lines[1]?.reason ?? '', /replay/);
    assert.equal(await lockOwner(), '', 'the replay did not lock the node again');
  });

  test('a trusted key that is not one of provisioning.provisioners is refused by the provision agent', async () => {
    const operator = generateKeyPair();
    writeFileSync(join(f.node.dir, 'trusted', 'user=operator.pub'), publicKeyPem(operator.publicKey));
    const signer = createSigner(operator.privateKey, 'user=operator');
    // The node picks the new key up without a restart; until then the request is refused as unknown.
    let answered: { statuscode: number; statusmsg: string } | undefined;
    const deadline = Date.now() + 30_000;
    while (!answered && Date.now() < deadline) {
      const req = request('lock', { token, owner: 'operator', ttl: 60 }, 'user=operator');
      answered = (await send(encodeRequest(req, signer), req)).replies[0];
    }
    assert.ok(answered, 'the operator key was never trusted');
    assert.equal(answered.statuscode, 1);
    assert.match(answered.statusmsg, /user=operator is not a provisioner of this node \(provisioning\.provisioners: provisioner=test\)/);
    assert.equal(await lockOwner(), '');
  });

  test('a bootstrap node in unsigned mode acts on nothing, even with the right token', async () => {
    const lab = await startProvisionNode({ natsUrl: f.nats.url, monitorPort: f.nats.monitorPort, identity: 'unsigned1', token, security: { mode: 'unsigned' } });
    try {
      const r = await cohort(['rpc', 'provision', 'lock', `token=${token}`, 'owner=mallory', '-T', 'provisioning', '-I', 'unsigned1', '--json'], { nats: f.nats.url, timeoutMs: 60_000, env: { COHORT_KEY: '' } });
      const reply = (JSON.parse(r.stdout) as { replies: Array<{ statuscode: number; statusmsg: string }> }).replies[0];
      assert.equal(reply?.statuscode, 1, r.stdout);
      assert.match(reply?.statusmsg ?? '', /only when they are signed by its provisioner.*security\.mode: unsigned/);
      assert.match(lab.log(), /provision refuses every request: this node runs with security\.mode: unsigned/);
    } finally {
      await lab.stop();
    }
  });

  test('a CSR for another certname is refused by the node: gencsr makes requests for its own identity only', async () => {
    const other = await f.client.call('provision', 'gencsr', { cn: 'ca-victim' });
    assert.equal(other.statuscode, 1);
    assert.match(other.statusmsg, /cn 'ca-victim' is not this node's identity 'fresh1'/);
    const own = await f.client.ok('gencsr', {});
    assert.equal(own['certname'], f.node.identity);
  });

  const noOpenssl = haveOpenssl ? false : 'openssl is not installed (apt-get install openssl): the CA needs it';
  test('a CSR for another certname is refused by the CA: CN mismatch, and a name already issued to another key', { skip: noOpenssl }, async () => {
    const own = await f.client.ok('gencsr', {});
    ca = await startFleet({
      natsUrl: f.nats.url,
      monitorPort: f.nats.monitorPort,
      nodes: [{ identity: 'ca-victim', facts: {}, classes: [] }],
      config: { ca: { enabled: true, backend: 'openssl', dir: join(work, 'ca'), days: 7 } },
    });
    const sign = async (certname: string, csr: string) => {
      const r = await cohort(['rpc', 'ca', 'sign', `certname=${certname}`, `csr=${csr}`, '-I', 'ca-victim', '--json'], { nats: f.nats.url, timeoutMs: 60_000 });
      return (JSON.parse(r.stdout) as { replies: Array<{ statuscode: number; statusmsg: string }> }).replies[0]!;
    };
    // The CA itself holds a certificate for its own name (issued to its own key).
    const victimKey = join(work, 'victim.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', victimKey], { stdio: 'pipe' });
    const victimCsr = execFileSync('openssl', ['req', '-new', '-key', victimKey, '-subj', '/CN=ca-victim'], { encoding: 'utf8' });
    assert.equal((await sign('ca-victim', victimCsr)).statuscode, 0);

    const mismatch = await sign('ca-victim', String(own['csr']));
    assert.equal(mismatch.statuscode, 1);
    assert.match(mismatch.statusmsg, /CN 'fresh1' does not match certname 'ca-victim'/);
    const attackerKey = join(work, 'attacker.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', attackerKey], { stdio: 'pipe' });
    const taken = await sign('ca-victim', execFileSync('openssl', ['req', '-new', '-key', attackerKey, '-subj', '/CN=ca-victim'], { encoding: 'utf8' }));
    assert.equal(taken.statuscode, 1);
    assert.match(taken.statusmsg, /ca-victim already has a certificate .* for a different key; clean it first/);
  });
});

