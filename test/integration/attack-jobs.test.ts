// Issue 12, finding 7: async job replies and records live in a JetStream
// stream anyone allowed to publish on `cohort.reply.>` can write into (the
// nodes' shared credential, user cohortd of examples/secure). On the secured
// example with real cohortd nodes: forged replies for a node that did not
// answer (unsigned, signed by an uncertified key, signed by another node's
// real key) are never counted as OK by `cohort job show/watch` and are listed
// as unverified; a job record planted under another caller's prefix, or
// later in the operator's own prefix, is never read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import {
  asyncReplySubject,
  createSigner,
  emptyFilter,
  encode,
  generateKeyPair,
  issueCertificate,
  jobRecordSubject,
  loadSigner,
  ProtocolTag,
  publicKeyHex,
  sealReply,
  type ReplyMessage,
} from '@cohort/core';
import { cohort, until } from '../harness/index.js';
import { missingOpenssl, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let attacker: NatsConnection;

interface ShowJson {
  job: { id: string; callerid: string; nodes: string[] };
  replies: Array<{ sender: string; statuscode: number }>;
  stats: { responded: number; ok: number; no_response: string[]; unverified?: Array<{ sender: string; reason: string }> };
}

const run = (args: string[]) => cohort(args, { env: env.env });

before(async () => {
  if (skip) return;
  env = await startSecureFleet([
    { identity: 'web1', role: 'web' },
    { identity: 'web2', role: 'web' },
  ]);
  attacker = await env.nodeBus();
});
after(async () => {
  env?.fleet.nodes.get('web2')?.process.kill('SIGCONT');
  await attacker?.close();
  await env?.stop();
});

function forged(id: string, sender: string): ReplyMessage {
  return { protocol: ProtocolTag.Reply, request_id: id, sender, agent: 'rpcutil', action: 'ping', statuscode: 0, statusmsg: 'OK', data: { pong: Date.now() }, time: Date.now() };
}

async function show(id: string): Promise<{ code: number; doc: ShowJson; stderr: string }> {
  const r = await run(['job', 'show', id, '--json']);
  assert.ok(r.code === 0 || r.code === 1, `job show exits 0 or 1: ${r.code} ${r.stdout} ${r.stderr}`);
  return { code: r.code, doc: JSON.parse(r.stdout) as ShowJson, stderr: r.stderr };
}

test('forged replies to an async job are never counted; a planted job record is never read', { skip }, async () => {
  const web2 = env.fleet.nodes.get('web2')!;
  web2.process.kill('SIGSTOP');
  try {
    const sent = await run(['rpc', 'rpcutil', 'ping', '--async', '-F', 'role=web']);
    assert.equal(sent.code, 0, sent.stderr);
    const id = sent.stdout.trim();
    assert.match(id, /^[0-9a-f]{32}$/);
    const subject = asyncReplySubject('cohort', 'user=operator', id);
    // web1 answers for real; wait for it so the forgeries come after.
    await until('web1 to reply', async () => (await show(id)).doc.stats.responded >= 1, { timeoutMs: 60_000, everyMs: 250 });
    // 1. unsigned, 2. signed by a key from an issuer nobody trusts, 3. signed by web1's real certified key, claiming to be web2.
    const stranger = generateKeyPair();
    const rogueIssuer = generateKeyPair();
    const rogue = createSigner(stranger.privateKey, 'web2', issueCertificate(rogueIssuer.privateKey, { kind: 'node', subject: 'web2', publicKey: publicKeyHex(stranger.publicKey) }));
    const web1Key = loadSigner({ kind: 'node', keyFile: join(env.dir, 'fleet', 'web1', 'node.key') });
    attacker.publish(subject, encode(forged(id, 'web2')));
    attacker.publish(subject, encode(sealReply(forged(id, 'web2'), rogue)));
    attacker.publish(subject, encode(sealReply(forged(id, 'web2'), web1Key)));
    // A record for the same job id under another caller's prefix, and an unsigned one under the operator's own.
    const plant = (callerid: string) => ({
      protocol: 'cohort:job:1', id, collective: 'cohort', callerid: 'user=operator', sender: 'mallory', agent: 'rpcutil', action: 'ping',
      data: {}, filter: emptyFilter(), nodes: ['web1'], discovery: 'nodes', time: Date.now(), ttl: 60, timeout: 4, planted_for: callerid,
    });
    attacker.publish(jobRecordSubject('cohort', 'user=mallory', id), new TextEncoder().encode(JSON.stringify(plant('user=mallory'))));
    await attacker.flush();

    const { code, doc } = await show(id);
    assert.equal(code, 1, 'web2 has not replied: not every node OK');
    assert.deepEqual([...doc.job.nodes].sort(), ['web1', 'web2'], "the operator's own record, not the planted one");
    assert.equal(doc.job.callerid, 'user=operator');
    assert.equal(doc.stats.ok, 1, 'only web1 counted');
    assert.deepEqual(doc.stats.no_response, ['web2']);
    assert.deepEqual(doc.replies.map((r) => r.sender), ['web1']);
    const unverified = doc.stats.unverified ?? [];
    assert.equal(unverified.length, 3, JSON.stringify(unverified));
    assert.ok(unverified.every((u) => u.sender === 'web2'));
    assert.match(unverified[0]!.reason, /not signed/);
    assert.match(unverified[1]!.reason, /issuer .* does not trust/);
    assert.match(unverified[2]!.reason, /sender 'web2' is not the one the signing key is bound to \('web1'\)/);
    const text = await run(['job', 'show', id]);
    assert.match(text.stdout, /Unverified replies \(not counted\):/);
    const watched = await run(['job', 'watch', id, '-t', '1', '--json']);
    const w = JSON.parse(watched.stdout) as ShowJson;
    assert.equal(w.stats.ok, 1);
    assert.equal(w.stats.unverified?.length, 3);

    // A record planted later in the operator's own prefix (the nodes' credential may publish there) replaces nothing.
    attacker.publish(jobRecordSubject('cohort', 'user=operator', id), new TextEncoder().encode(JSON.stringify(plant('user=operator'))));
    await attacker.flush();
    const again = await show(id);
    assert.deepEqual([...again.doc.job.nodes].sort(), ['web1', 'web2']);
    assert.equal(again.doc.stats.ok, 1);
  } finally {
    web2.process.kill('SIGCONT');
  }
});
