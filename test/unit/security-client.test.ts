// The client's side of security, through the real CLI run in-process over an
// in-memory bus whose nodes verify signatures: request signing with --key,
// keys generate/sign/show, --verify-replies with a forged reply, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSigner,
  encode,
  generateKeyPair,
  openRequest,
  ProtocolTag,
  readPrivateKey,
  sealReply,
  TrustStore,
  verifyRequest,
  type ReplyMessage,
  type RequestMessage,
  type Signer,
} from '@cohort/core';
import type { Bus } from '@cohort/client';
import { main, memoryIo } from '@cohort/cli';

interface SecureNode {
  identity: string;
  /** Signs its replies with this (undefined: plain replies). */
  signer?: Signer;
  /** Replies signed by someone else but claiming this identity. */
  forgeWith?: Signer;
}

/** An in-memory bus whose nodes run only requests that verify against `trust`; it records what they refused. */
class VerifyingBus implements Bus {
  readonly servers = ['fake://'];
  readonly refused: string[] = [];
  readonly accepted: RequestMessage[] = [];
  readonly raw: Array<{ subject: string; protocol: string }> = [];
  private readonly subs = new Map<string, Set<(d: Uint8Array) => void>>();
  constructor(private readonly nodes: SecureNode[], private readonly trust: TrustStore) {}
  publish(subject: string, data: Uint8Array): void {
    const opened = openRequest(data);
    this.raw.push({ subject, protocol: opened.envelope ? opened.envelope.protocol : opened.request.protocol });
    const verdict = verifyRequest(opened, this.trust, Date.now());
    if (typeof verdict === 'string') {
      this.refused.push(verdict);
      return;
    }
    const request = opened.request;
    this.accepted.push(request);
    for (const node of this.nodes) {
      if (subject !== `cohort.broadcast.agent.rpcutil` && subject !== `cohort.node.${node.identity}`) continue;
      const reply: ReplyMessage = { protocol: ProtocolTag.Reply, request_id: request.id, sender: node.identity, agent: request.agent, action: request.action, statuscode: 0, statusmsg: 'OK', data: {}, time: Date.now() };
      const signer = node.forgeWith ?? node.signer;
      const bytes = encode(signer ? sealReply(reply, signer) : reply);
      setTimeout(() => this.subs.get(request.reply_to)?.forEach((fn) => fn(bytes)), 1);
    }
  }
  subscribe(subject: string, fn: (d: Uint8Array) => void) {
    const set = this.subs.get(subject) ?? new Set();
    this.subs.set(subject, set);
    set.add(fn);
    return { unsubscribe: () => set.delete(fn) };
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

async function cli(args: string[], bus?: Bus, env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo({ env, connect: async () => bus ?? new VerifyingBus([], new TrustStore('caller', new Map(), new Set())) });
  const fleet = ['rpc', 'ping', 'find'].includes(args[0] ?? '');
  const code = await main(fleet ? [...args, '--dt', '0.3', '--discovery-window', '50'] : args, io, '9.9.9');
  return { code, out: io.out(), err: io.err() };
}

const dir = mkdtempSync(join(tmpdir(), 'cohort-client-keys-'));

test('keys generate writes a key pair; keys sign certifies it; keys show reads both', async () => {
  const gen = await cli(['keys', 'generate', 'alice', '--dir', dir]);
  assert.equal(gen.code, 0, gen.err);
  assert.match(gen.out, /signs as: {3}user=alice/);
  assert.equal((await cli(['keys', 'generate', 'alice', '--dir', dir])).code, 2, 'an existing key is not overwritten');
  assert.equal((await cli(['keys', 'generate', 'issuer', '--dir', dir])).code, 0);
  const sign = await cli(['keys', 'sign', '--issuer', join(dir, 'issuer.key'), '--caller', 'user=alice.ops', '--days', '1', join(dir, 'alice.pub')]);
  assert.equal(sign.code, 0, sign.err);
  assert.match(sign.out, /caller user=alice\.ops/);
  const show = await cli(['keys', 'show', join(dir, 'alice.cert'), '--json']);
  const body = JSON.parse(show.out) as { subject: string; kind: string; expires_at: number };
  assert.equal(body.subject, 'user=alice.ops');
  assert.equal(body.kind, 'caller');
  assert.ok(body.expires_at > Date.now() && body.expires_at < Date.now() + 2 * 86_400_000);
  const showKey = await cli(['keys', 'show', join(dir, 'alice.key')]);
  assert.match(showKey.out, /public key: [0-9a-f]{64}/);
  assert.equal((await cli(['keys', 'sign', '--issuer', join(dir, 'issuer.key'), '--node', 'web1', '--caller', 'user=x', join(dir, 'alice.pub')])).code, 2);
});

test('rpc --key signs every request (discovery too) and the caller id follows the key certificate', async () => {
  const issuerHex = createSigner(readPrivateKey(join(dir, 'issuer.key')), 'x').publicKey;
  const trust = new TrustStore('caller', new Map(), new Set([issuerHex]));
  const bus = new VerifyingBus([{ identity: 'web1' }, { identity: 'web2' }], trust);
  const r = await cli(['rpc', 'rpcutil', 'ping', '--key', join(dir, 'alice.key'), '--json'], bus);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(bus.refused, []);
  assert.ok(bus.raw.length >= 3 && bus.raw.every((m) => m.protocol === 'cohort:secure-request:1'), JSON.stringify(bus.raw));
  assert.ok(bus.accepted.every((m) => m.callerid === 'user=alice.ops'));
  const json = JSON.parse(r.out) as { stats: { responded: number; unverified?: unknown } };
  assert.equal(json.stats.responded, 2);
  assert.equal(json.stats.unverified, undefined, 'reported only when verifying');
});

test('without a key requests go unsigned; signed-only nodes ignore them and the CLI says why', async () => {
  const trust = new TrustStore('caller', new Map(), new Set());
  const bus = new VerifyingBus([{ identity: 'web1' }], trust);
  const r = await cli(['rpc', 'rpcutil', 'ping'], bus);
  assert.equal(r.code, 3);
  assert.match(bus.refused[0] ?? '', /not signed/);
  assert.match(r.err, /No nodes matched the filter\nRequests were not signed: .*cohort keys generate/);
});

test('an explicit key that does not exist, a callerid that contradicts the key, or a wrong key file: exit 2, nothing sent', async () => {
  const bus = new VerifyingBus([], new TrustStore('caller', new Map(), new Set()));
  const missing = await cli(['ping', '--key', join(dir, 'nope.key')], bus);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nope\.key does not exist/);
  const env = await cli(['ping'], bus, { COHORT_KEY: join(dir, 'alice.pub') });
  assert.equal(env.code, 2);
  assert.match(env.err, /alice\.pub is not a PEM private key/);
  const cfg = join(dir, 'client.yaml');
  writeFileSync(cfg, `callerid: user=root\nkey: alice.key\n`);
  const clash = await cli(['ping', '--config', cfg], bus);
  assert.equal(clash.code, 2);
  assert.match(clash.err, /does not match the signing key, which is bound to 'user=alice\.ops'/);
  assert.equal(bus.raw.length, 0);
});

test('--verify-replies: a forged reply is reported apart, not counted, and the node counts as not responding', async () => {
  const issuerKey = readPrivateKey(join(dir, 'issuer.key'));
  const { issueCertificate, publicKeyHex } = await import('@cohort/core');
  const nodeSigner = (identity: string): Signer => {
    const pair = generateKeyPair();
    return createSigner(pair.privateKey, identity, issueCertificate(issuerKey, { kind: 'node', subject: identity, publicKey: publicKeyHex(pair.privateKey) }));
  };
  const rogue = generateKeyPair();
  const nodes: SecureNode[] = [
    { identity: 'web1', signer: nodeSigner('web1') },
    { identity: 'web2', forgeWith: createSigner(rogue.privateKey, 'web2') },
    { identity: 'web3' },
  ];
  const trust = new TrustStore('caller', new Map(), new Set([publicKeyHex(issuerKey)]));
  const args = ['rpc', 'rpcutil', 'ping', '--key', join(dir, 'alice.key'), '--verify-replies', '-I', 'web1', '-I', 'web2', '-I', 'web3', '-t', '0.5'];
  const json = await cli([...args, '--json'], new VerifyingBus(nodes, trust));
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.out) as { replies: Array<{ sender: string }>; stats: { responded: number; no_response: string[]; unverified: Array<{ sender: string; reason: string }> } };
  assert.deepEqual(doc.replies.map((r) => r.sender), ['web1']);
  assert.equal(doc.stats.responded, 1);
  assert.deepEqual(doc.stats.no_response.sort(), ['web2', 'web3']);
  assert.deepEqual(doc.stats.unverified.map((u) => u.sender).sort(), ['web2', 'web3']);
  assert.match(doc.stats.unverified.find((u) => u.sender === 'web2')?.reason ?? '', /unknown key/);
  assert.match(doc.stats.unverified.find((u) => u.sender === 'web3')?.reason ?? '', /not signed/);
  const text = await cli(args, new VerifyingBus(nodes, trust));
  assert.match(text.out, /Unverified replies \(not counted\):\n\n {3}web2: .*unknown key/);
  // The issuer of the caller's own certificate is trusted for node certificates by default; without any trust it is a usage error.
  const lonely = await cli(['rpc', 'rpcutil', 'ping', '--verify-replies'], new VerifyingBus(nodes, trust), { COHORT_KEY: '' });
  assert.equal(lonely.code, 2);
  assert.match(lonely.err, /--verify-replies needs trusted node keys/);
});

test('NATS credentials: contradictory or unreadable settings are refused before connecting (exit 2)', async () => {
  const both = await cli(['ping', '--user', 'a', '--password', 'b', '--token', 't']);
  assert.equal(both.code, 2);
  assert.match(both.err, /one way to log in/);
  const half = await cli(['ping', '--tls-cert', join(dir, 'alice.pub')]);
  assert.equal(half.code, 2);
  assert.match(half.err, /needs its key/);
  const ca = await cli(['ping', '--tls-ca', join(dir, 'no-such-ca.pem')]);
  assert.equal(ca.code, 2);
  assert.match(ca.err, /no-such-ca\.pem/);
  mkdirSync(join(dir, 'nk'), { recursive: true });
  writeFileSync(join(dir, 'nk', 'seed'), 'not a seed');
  const nkey = await cli(['ping', '--nkey', join(dir, 'nk', 'seed')]);
  assert.equal(nkey.code, 2);
  assert.match(nkey.err, /NKey seed/);
  assert.ok(readFileSync(join(dir, 'alice.pub'), 'utf8').includes('PUBLIC KEY'));
});
