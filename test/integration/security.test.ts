// Security end to end, on a real nats-server with TLS (client certificates
// required) and user/password authorization, and real cohortd nodes in signed
// mode: forged, unknown-key, tampered, expired, replayed and unauthorized
// requests are refused and never run (the touch agent's file never appears),
// each is audited with its reason; a permitted request works; a client
// without bus credentials cannot connect; --verify-replies catches a forged reply.
import { after, before, describe, test } from '../harness/skip.js'; // groups skipped test by test
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { NatsConnection } from 'nats';
import {
  createSigner,
  encode,
  encodeRequest,
  generateKeyPair,
  loadSigner,
  newRequestId,
  nodeSubject,
  openRequest,
  ProtocolTag,
  replySubject,
  sealReply,
  type RequestMessage,
} from '@cohort/core';
import { cohort, repoRoot, until } from '../harness/index.js';
import { eventually, missingOpenssl, startSecureFleet, touchAgentDir, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let bus: NatsConnection;

before(async () => {
  if (skip) return;
  env = await startSecureFleet([
    { identity: 'web1', role: 'web' },
    { identity: 'db1', role: 'db' },
  ]);
  bus = await env.operatorBus();
});
after(async () => {
  await bus?.close();
  await env?.stop();
});

const run = (args: string[], extra: Record<string, string> = {}) => cohort([...args, '--ddl-dir', touchAgentDir], { env: { ...env.env, ...extra } });
const marker = (name: string) => join(env.dir, `touched-${name}`);

/** A touch request from user=operator to web1 (its filter and policy allow it). */
function touchRequest(name: string, fields: Partial<RequestMessage> = {}): RequestMessage {
  const id = newRequestId();
  return {
    protocol: ProtocolTag.Request,
    id,
    sender: 'mallory-laptop',
    callerid: 'user=operator',
    collective: 'cohort',
    agent: 'touch',
    action: 'touch',
    data: { path: marker(name) },
    filter: { fact: [], cf_class: [], agent: [], identity: [], compound: [] },
    ttl: 60,
    time: Date.now(),
    reply_to: replySubject('cohort', 'user=operator', id),
    ...fields,
  };
}

/**
 * Publish raw bytes to web1; resolve with the replies once `done` says so
 * (default: one reply): no fixed window, fails after 20 s.
 */
async function send(bytes: Uint8Array, request: RequestMessage, done: (replies: unknown[]) => boolean = (r) => r.length >= 1): Promise<unknown[]> {
  const replies: unknown[] = [];
  const sub = bus.subscribe(request.reply_to, { callback: (_e, m) => replies.push(JSON.parse(new TextDecoder().decode(m.data))) });
  try {
    await bus.flush();
    bus.publish(nodeSubject('cohort', 'web1'), bytes);
    await until(`web1 to settle request ${request.id}`, () => done(replies), { timeoutMs: 20_000, everyMs: 20 });
    return replies;
  } finally {
    sub.unsubscribe();
  }
}

/** Publish and resolve with the replies once web1 has audited the request as refused (it decided: no reply can follow). */
function sendRefused(bytes: Uint8Array, request: RequestMessage): Promise<unknown[]> {
  return send(bytes, request, () => env.audit('web1').some((a) => a.request_id === request.id && a.outcome === 'refused'));
}

describe('secured bus and signed requests', { skip }, () => {
  test('a permitted request runs: signed by the certified operator key, over TLS with credentials', async () => {
    const r = await run(['rpc', 'touch', 'touch', `path=${marker('permitted')}`, '-I', 'web1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(marker('permitted')));
    const line = env.audit('web1').find((a) => a.data?.['path'] === marker('permitted'));
    assert.equal(line?.outcome, 'allowed');
    assert.equal(line?.verified, true);
    assert.equal(line?.callerid, 'user=operator');
  });

  test('forged signature, unknown key, tampered data and an expired request are refused, never run, and audited with the reason', async () => {
    const operator = loadSigner({ kind: 'caller', keyFile: join(env.dir, 'keys/operator.key') });
    const mallory = createSigner(generateKeyPair().privateKey, 'user=operator');
    const forged = touchRequest('forged');
    const forgedEnvelope = JSON.parse(new TextDecoder().decode(encodeRequest(forged, mallory))) as Record<string, unknown>;
    const unknown = touchRequest('unknown');
    const tampered = touchRequest('tampered-original');
    const sealed = JSON.parse(new TextDecoder().decode(encodeRequest(tampered, operator))) as { request: string };
    const expired = touchRequest('expired', { time: Date.now() - 3_600_000 });
    const cases: Array<[string, RequestMessage, Uint8Array, RegExp]> = [
      // mallory's signature presented with the operator's key and certificate
      ['forged', forged, encode({ ...forgedEnvelope, public_key: operator.publicKey, certificate: operator.certificate } as never), /signature does not verify/],
      ['unknown', unknown, encodeRequest(unknown, mallory), /unknown key/],
      ['tampered', tampered, new TextEncoder().encode(JSON.stringify({ ...sealed, request: sealed.request.replace('touched-tampered-original', 'touched-tampered') })), /signature does not verify/],
      ['expired', expired, encodeRequest(expired, operator), /outside its 60 s ttl/],
    ];
    for (const [name, request, bytes] of cases) assert.deepEqual(await sendRefused(bytes, request), [], `${name} got a reply`);
    for (const name of ['forged', 'unknown', 'tampered', 'tampered-original', 'expired']) assert.equal(existsSync(marker(name)), false, `${name} ran`);
    for (const [name, request, , reason] of cases) {
      const line = env.audit('web1').find((a) => a.request_id === request.id);
      assert.equal(line?.outcome, 'refused', name);
      assert.match(line?.reason ?? '', reason, name);
    }
    const stats = await run(['rpc', 'rpcutil', 'daemon_stats', '-I', 'web1', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const dropped = (JSON.parse(stats.stdout) as { replies: Array<{ data: { dropped: Record<string, number> } }> }).replies[0]!.data.dropped;
    assert.ok((dropped['unverified'] ?? 0) >= 3 && dropped['ttl_expired']! >= 1, JSON.stringify(dropped));
  });

  test('an unsigned request is refused in signed mode', async () => {
    const plain = touchRequest('unsigned');
    assert.deepEqual(await sendRefused(encode(plain), plain), []);
    assert.equal(existsSync(marker('unsigned')), false);
    assert.match(env.audit('web1').find((a) => a.request_id === plain.id)?.reason ?? '', /not signed/);
  });

  test('a replayed request is refused: it ran once, and the copy never runs', async () => {
    const operator = loadSigner({ kind: 'caller', keyFile: join(env.dir, 'keys/operator.key') });
    const request = touchRequest('replayed');
    const bytes = encodeRequest(request, operator);
    assert.equal((await send(bytes, request)).length, 1);
    assert.ok(await eventually(() => existsSync(marker('replayed'))), 'the original ran');
    rmSync(marker('replayed'));
    assert.deepEqual(await sendRefused(bytes, request), [], 'no reply to the replay');
    assert.equal(existsSync(marker('replayed')), false, 'the replay did not run');
    const lines = env.audit('web1').filter((a) => a.request_id === request.id);
    assert.deepEqual(lines.map((l) => l.outcome), ['allowed', 'refused']);
    assert.match(lines[1]?.reason ?? '', /replayed/);
  });

  test('an unauthorized action replies status 1 naming the policy file, and does not run', async () => {
    const r = await run(['rpc', 'touch', 'touch', `path=${marker('denied')}`, '-I', 'db1', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const reply = (JSON.parse(r.stdout) as { replies: Array<{ sender: string; statuscode: number; statusmsg: string }> }).replies[0];
    assert.equal(reply?.sender, 'db1');
    assert.equal(reply?.statuscode, 1);
    assert.match(reply?.statusmsg ?? '', /not authorized.*touch\.policy/);
    assert.equal(existsSync(marker('denied')), false);
    const line = env.audit('db1').find((a) => a.data?.['path'] === marker('denied'));
    assert.equal(line?.outcome, 'denied');
    assert.match(line?.reason ?? '', /touch\.policy/);
  });

  test('a client without bus credentials cannot even connect (exit 4, naming the URL)', async () => {
    const bare = join(env.dir, 'bare-client.yaml');
    writeFileSync(bare, `key: ${join(env.dir, 'keys/operator.key')}\n`);
    const noTls = await run(['ping'], { COHORT_CONFIG: bare });
    assert.equal(noTls.code, 4, noTls.stderr);
    assert.ok(noTls.stderr.includes(env.nats.url), noTls.stderr);
    const cfg = yaml.load(readFileSync(env.clientConfig, 'utf8')) as { nats: Record<string, unknown> };
    const tlsOnly = join(env.dir, 'tls-only-client.yaml');
    writeFileSync(tlsOnly, yaml.dump({ key: join(env.dir, 'keys/operator.key'), nats: { tls: cfg.nats['tls'] } }));
    const noPassword = await run(['ping'], { COHORT_CONFIG: tlsOnly });
    assert.equal(noPassword.code, 4, noPassword.stderr);
    assert.match(noPassword.stderr, /authorization violation/i);
    const wrong = await run(['ping'], { COHORT_CONFIG: tlsOnly, COHORT_NATS_USER: 'operator', COHORT_NATS_PASSWORD: 'wrong' });
    assert.equal(wrong.code, 4);
  });

  test('--verify-replies reports a forged reply apart and does not count it', async () => {
    // A compromised machine with the daemons' bus credentials answers for a node that does not exist.
    const rogueBus = await env.nodeBus();
    const rogue = createSigner(generateKeyPair().privateKey, 'ghost');
    rogueBus.subscribe(nodeSubject('cohort', 'ghost'), {
      callback: (_e, m) => {
        const { request } = openRequest(m.data);
        const reply = { protocol: ProtocolTag.Reply, request_id: request.id, sender: 'ghost', agent: request.agent, action: request.action, statuscode: 0 as const, statusmsg: 'OK', data: { pong: 1 }, time: Date.now() };
        rogueBus.publish(request.reply_to, encode(sealReply(reply, rogue)));
      },
    });
    await rogueBus.flush();
    try {
      const trusting = await run(['rpc', 'rpcutil', 'ping', '-I', 'web1', '-I', 'ghost', '--json', '-t', '2']);
      assert.equal(trusting.code, 0, 'without verification the forged reply counts');
      const checked = await run(['rpc', 'rpcutil', 'ping', '-I', 'web1', '-I', 'ghost', '--json', '-t', '2', '--verify-replies']);
      assert.equal(checked.code, 1, checked.stderr);
      const doc = JSON.parse(checked.stdout) as { replies: Array<{ sender: string }>; stats: { no_response: string[]; unverified: Array<{ sender: string; reason: string }> } };
      assert.deepEqual(doc.replies.map((r) => r.sender), ['web1'], 'web1 signs with its certified node key');
      assert.deepEqual(doc.stats.no_response, ['ghost']);
      assert.equal(doc.stats.unverified[0]?.sender, 'ghost');
      assert.match(doc.stats.unverified[0]?.reason ?? '', /unknown key/);
      const text = await run(['rpc', 'rpcutil', 'ping', '-I', 'web1', '-I', 'ghost', '-t', '2', '--verify-replies']);
      assert.match(text.stdout, /Unverified replies \(not counted\):\n\n {3}ghost: /);
    } finally {
      await rogueBus.close();
    }
  });

  test('unsigned mode says so loudly at every start', async () => {
    const file = join(env.dir, 'unsigned.yaml');
    writeFileSync(file, yaml.dump({ identity: 'lab1', nats: env.nodeNats, security: { mode: 'unsigned' }, logging: { level: 'warn' } }));
    const child = spawn(process.execPath, [join(repoRoot, 'packages/server/bin/cohortd.cjs'), '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise((r) => child.once('exit', r));
    const warned = await eventually(() => /WARN .*UNSIGNED mode/.test(stderr), 10_000);
    child.kill('SIGTERM');
    await exited;
    assert.ok(warned, stderr);
  });

  test('cohortd signs and verifies with libsodium (its addon loaded), with OpenSSL when COHORT_ED25519=openssl, and says which', async () => {
    const file = join(env.dir, 'signing.yaml');
    writeFileSync(file, yaml.dump({ identity: 'lab2', nats: env.nodeNats, security: { mode: 'unsigned' }, logging: { level: 'debug' } }));
    for (const [extra, line] of [[{}, /DEBUG Ed25519 signatures by libsodium/], [{ COHORT_ED25519: 'openssl' }, /INFO {2}Ed25519 signatures by OpenSSL \(COHORT_ED25519=openssl\)/]] as const) {
      const child = spawn(process.execPath, [join(repoRoot, 'packages/server/bin/cohortd.cjs'), '--config', file], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...extra } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const exited = new Promise((r) => child.once('exit', r));
      const said = await eventually(() => line.test(stderr), 10_000);
      const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8');
      child.kill('SIGTERM');
      await exited;
      assert.ok(said, stderr);
      assert.equal(maps.includes('sodium-native.node'), !('COHORT_ED25519' in extra), `sodium-native's addon mapped: ${JSON.stringify(extra)}`);
    }
  });
});
