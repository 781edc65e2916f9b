// Finding 4 of the security review (issue 12): the example NATS permissions
// granted `$JS.API.>`, so a user could create a stream on `cohort.node.>`,
// capture a signed request for `--nodes web1` and republish it on the
// broadcast subject, where web2 ran it; anyone could read every caller's
// async jobs. Now: least-privilege permissions (no stream administration for
// nodes or operators; each operator reads only its own replies, inboxes and
// jobs) and the target list signed into the request, so web2 refuses a
// request signed for web1. Real nats-server with the shipped secure example,
// real cohortd nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AckPolicy, type NatsConnection } from 'nats';
import { broadcastSubject, jobStreamName, nodeSubject, openRequest, registryBucket, replyPrefix } from '@cohort/core';
import { cohort } from '../harness/index.js';
import { droppedOn, eventually, eventuallyAsync, missingOpenssl, startSecureFleet, touchAgentDir, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let mallory: NatsConnection;
let node: NatsConnection;

before(async () => {
  if (skip) return;
  env = await startSecureFleet(
    [
      { identity: 'web1', role: 'web' },
      { identity: 'web2', role: 'web' },
    ],
    { operators: ['operator', 'mallory'] },
  );
  mallory = await env.busAs('mallory');
  node = await env.nodeBus();
});
after(async () => {
  await mallory?.close();
  await node?.close();
  await env?.stop();
});

const jobs = jobStreamName('cohort');
const permissionDenied = /permissions violation/i;

/** Subscribe and report whether the server refused the subscription. */
async function subscribeRefused(nc: NatsConnection, subject: string): Promise<boolean> {
  let refused = false;
  nc.subscribe(subject, { callback: (err) => void (err && permissionDenied.test(err.message) && (refused = true)) });
  await nc.flush();
  return eventually(() => refused, 10_000);
}

describe('finding 4: least-privilege permissions and signed target lists', { skip }, () => {
  test('the node user and an operator cannot create, purge or delete streams', async () => {
    for (const nc of [node, mallory]) {
      const jsm = await nc.jetstreamManager({ checkAPI: false });
      await assert.rejects(jsm.streams.add({ name: 'capture', subjects: ['cohort.node.>'] }), permissionDenied);
      await assert.rejects(jsm.streams.purge(jobs), permissionDenied);
      await assert.rejects(jsm.streams.delete(`KV_${registryBucket('cohort')}`), permissionDenied);
      await assert.rejects(jsm.streams.update(jobs, { subjects: ['cohort.>'] }), permissionDenied);
    }
  });

  test("an operator cannot read another caller's replies, inboxes or jobs, but reads its own", async () => {
    const operatorReplies = `${replyPrefix('cohort', 'user=operator')}.>`;
    assert.ok(await subscribeRefused(mallory, operatorReplies), 'subscribing to the operator\'s replies is refused');
    assert.ok(await subscribeRefused(mallory, '_INBOX.>'), 'subscribing to every inbox is refused');
    const submitted = await cohort(['rpc', 'rpcutil', 'ping', '--async', '-I', 'web1', '--json'], { env: env.env });
    assert.equal(submitted.code, 0, submitted.stderr);
    const jsm = await mallory.jetstreamManager({ checkAPI: false });
    // A consumer is the only way to read the job stream; its filter is in the API subject the ACL checks.
    await assert.rejects(jsm.consumers.add(jobs, { name: 'peek', filter_subject: `${replyPrefix('cohort', 'user=operator')}.async.*`, ack_policy: AckPolicy.None }), permissionDenied);
    await assert.rejects(jsm.consumers.add(jobs, { name: 'peek-all', filter_subject: 'cohort.reply.*.job.*', ack_policy: AckPolicy.None }), permissionDenied);
    await assert.rejects(jsm.streams.getMessage(jobs, { seq: 1 }), permissionDenied);
    // Its own prefix is fine.
    const own = await jsm.consumers.add(jobs, { name: 'mine', filter_subject: `${replyPrefix('cohort', 'user=mallory')}.job.*`, ack_policy: AckPolicy.None });
    assert.equal(own.config.filter_subject, `${replyPrefix('cohort', 'user=mallory')}.job.*`);
    // And the operator's own tools work under these permissions.
    const list = await cohort(['registry', 'list', '--json'], { env: env.env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /web1/);
  });

  test('a captured signed request for --nodes web1, republished on the broadcast subject, is refused by web2 and audited', async () => {
    const marker = join(env.dir, 'touched-targeted');
    const nodesFile = join(env.dir, 'only-web1.txt');
    writeFileSync(nodesFile, 'web1\n');
    // A machine with the daemons' credentials sees what is addressed to web1.
    const captured: Uint8Array[] = [];
    node.subscribe(nodeSubject('cohort', 'web1'), { callback: (_e, m) => void captured.push(m.data) });
    await node.flush();
    const r = await cohort(['rpc', 'touch', 'touch', `path=${marker}`, '--nodes', nodesFile, '--ddl-dir', touchAgentDir, '--json'], { env: env.env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(marker), 'web1 ran it');
    assert.ok(await eventually(() => captured.length >= 1));
    const bytes = captured[captured.length - 1]!;
    const { request } = openRequest(bytes);
    assert.deepEqual(request.targets, ['web1'], 'the client signed the target list into the request');
    assert.deepEqual(request.filter.identity, [], 'nothing else in the request keeps web2 out');
    rmSync(marker);

    mallory.publish(broadcastSubject('cohort', 'touch'), bytes);
    await mallory.flush();
    assert.ok(await eventuallyAsync(async () => ((await droppedOn(env, 'web2'))['not_targeted'] ?? 0) >= 1), 'web2 refused it');
    assert.equal(existsSync(marker), false, 'nobody ran it again');
    const line = env.audit('web2').find((a) => a.request_id === request.id);
    assert.equal(line?.outcome, 'refused');
    assert.deepEqual(line?.targets, ['web1']);
    assert.match(line?.reason ?? '', /signed for 1 other node\(s\), not web2/);
  });
});
