// Finding 12 of the security review (issue 12): the CLI printed statusmsg
// and outputs raw (terminal escape sequences from any machine that can
// answer), the action queue was unbounded, and the TTL was not checked again
// after a request waited for a slot. Now the CLI shows control characters as
// visible escapes, a full queue refuses at once (status 1, naming max_queue),
// and a request that expired while waiting does not run. Real nats-server
// with the shipped secure example, real cohortd nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { createSigner, encode, generateKeyPair, nodeSubject, openReply, openRequest, ProtocolTag, sealReply, type ReplyMessage, type RequestMessage } from '@cohort/core';
import { cohort } from '../harness/index.js';
import { attackRequest, eventually, missingOpenssl, operatorSigner, requestBytes, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let operator: NatsConnection;

before(async () => {
  if (skip) return;
  env = await startSecureFleet([{ identity: 'web1', role: 'web' }], {
    policies: { 'hold.policy': 'policy default allow\n' },
    config: { max_concurrency: 1, max_queue: 2 },
  });
  operator = await env.operatorBus();
});
after(async () => {
  await operator?.close();
  await env?.stop();
});

describe('finding 12: terminal escapes, a bounded queue, the ttl checked after waiting', { skip }, () => {
  test('statusmsg and outputs with terminal escapes are printed as visible escapes', async () => {
    const rogueBus = await env.nodeBus();
    const rogue = createSigner(generateKeyPair().privateKey, 'ghost');
    rogueBus.subscribe(nodeSubject('cohort', 'ghost'), {
      callback: (_e, m) => {
        const { request } = openRequest(m.data);
        const reply: ReplyMessage = {
          protocol: ProtocolTag.Reply,
          request_id: request.id,
          sender: 'ghost',
          agent: request.agent,
          action: request.action,
          statuscode: 1,
          statusmsg: 'fine\u001b]0;owned\u0007\u001b[2J\u009b31m',
          data: { pong: '\u001b[8mhidden\u001b[0m' },
          time: Date.now(),
        };
        rogueBus.publish(request.reply_to, encode(sealReply(reply, rogue)));
      },
    });
    await rogueBus.flush();
    try {
      const r = await cohort(['rpc', 'rpcutil', 'ping', '-I', 'ghost', '-t', '3'], { env: env.env });
      assert.match(r.stdout, /ghost/);
      // Raw, only the harmless colour codes the CLI itself uses remain (here the reply's trailing reset).
      assert.doesNotMatch(r.stdout.replace(/\u001b\[(?:0|1|3[1-3])m/g, ''), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no other control character reaches the terminal');
      assert.ok(r.stdout.includes('fine\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m'), r.stdout);
      assert.ok(r.stdout.includes('\\u001b[8mhidden'), r.stdout);
      const json = await cohort(['rpc', 'rpcutil', 'ping', '-I', 'ghost', '-t', '3', '--json'], { env: env.env });
      assert.doesNotMatch(json.stdout, /[\u0007\u001b\u009b]/);
      assert.equal((JSON.parse(json.stdout) as { replies: Array<{ statusmsg: string }> }).replies[0]?.statusmsg, 'fine\u001b]0;owned\u0007\u001b[2J\u009b31m', 'JSON keeps the value, escaped');
    } finally {
      await rogueBus.close();
    }
  });

  test('a full queue refuses at once; a request that expired while queued does not run', async () => {
    const release = join(env.dir, 'release');
    const replies = new Map<string, ReplyMessage>();
    const send = (request: RequestMessage) => {
      operator.subscribe(request.reply_to, { max: 1, callback: (_e, m) => void replies.set(request.id, openReply(m.data).reply) });
      operator.publish(nodeSubject('cohort', 'web1'), requestBytes(request, operatorSigner(env)));
    };
    const hold = (name: string, ttl = 60) => attackRequest({ agent: 'hold', action: 'hold', ttl, data: { path: join(env.dir, `held-${name}`), release } });
    const running = hold('running');
    send(running);
    await operator.flush();
    assert.ok(await eventually(() => existsSync(join(env.dir, 'held-running')), 30_000), 'the only slot is taken');

    const expiring = hold('expiring', 2);
    const waiting = hold('waiting');
    send(expiring);
    send(waiting);
    await operator.flush();
    const refused = [hold('refused-1'), hold('refused-2')];
    for (const r of refused) send(r);
    await operator.flush();
    assert.ok(await eventually(() => refused.every((r) => replies.has(r.id)), 30_000), 'the queue is full: refused at once');
    for (const r of refused) {
      assert.equal(replies.get(r.id)?.statuscode, 1);
      assert.match(replies.get(r.id)?.statusmsg ?? '', /busy: 1 actions running and 2 waiting \(max_queue\)/);
    }
    // Let the short request's ttl run out while it waits, then free the slot.
    assert.ok(await eventually(() => Date.now() > expiring.time + 2500, 10_000));
    writeFileSync(release, '');
    assert.ok(await eventually(() => replies.has(running.id) && replies.has(expiring.id) && replies.has(waiting.id), 60_000));
    assert.equal(replies.get(running.id)?.statuscode, 0);
    assert.equal(replies.get(waiting.id)?.statuscode, 0);
    assert.equal(replies.get(expiring.id)?.statuscode, 1);
    assert.match(replies.get(expiring.id)?.statusmsg ?? '', /expired while waiting for a free slot/);
    assert.equal(existsSync(join(env.dir, 'held-expiring')), false, 'the expired request never ran');
    for (const r of refused) assert.equal(existsSync(String(r.data['path'])), false, 'a refused request never ran');
  });
});
