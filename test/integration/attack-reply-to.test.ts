// Finding 1 of the security review (issue 12): a node published its reply to
// whatever reply_to a request named, with its own bus credentials, even for
// requests the policy denied. A denied request with reply_to set to web2's
// registry key removed web2 from registry discovery; one aimed at the
// JetStream API purged every async job. Now a node replies only on the
// caller's own reply subject; anything else is dropped and audited (with
// reply_to and the filter). Real nats-server with the shipped secure example,
// real cohortd nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { jobStreamName, nodeSubject, registryBucket, registryKey } from '@cohort/core';
import { cohort } from '../harness/index.js';
import { attackRequest, droppedOn, eventually, eventuallyAsync, missingOpenssl, operatorSigner, requestBytes, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let mallory: NatsConnection;
let admin: NatsConnection;

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
  admin = await env.busAs('admin');
});
after(async () => {
  await mallory?.close();
  await admin?.close();
  await env?.stop();
});

async function web2Record(): Promise<string | undefined> {
  const kv = await admin.jetstream().views.kv(registryBucket('cohort'), { bindOnly: true });
  const entry = await kv.get(registryKey('web2'));
  if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
  // A node's reply written over the record would be a cohort:(secure-)reply:1 message.
  const text = new TextDecoder().decode(entry.value);
  const doc = JSON.parse(text) as { protocol?: string };
  if (/reply/.test(doc.protocol ?? '')) return 'a reply';
  return text.includes('"web2"') || text.includes('\\"web2\\"') ? 'web2' : 'something else';
}

async function jobMessages(): Promise<number> {
  return (await (await admin.jetstreamManager()).streams.info(jobStreamName('cohort'))).state.messages;
}

describe('finding 1: replies go only to the caller\'s own reply subject', { skip }, () => {
  test('a denied request aimed at the registry and at the JetStream API is refused and audited; web2 stays registered, jobs stay', async () => {
    assert.ok(await eventuallyAsync(async () => (await web2Record()) === 'web2'), 'web2 registered');
    // An async job, so the job stream holds something a purge would wipe.
    const job = await cohort(['rpc', 'rpcutil', 'ping', '--async', '-I', 'web1'], { env: env.env });
    assert.equal(job.code, 0, job.stderr);
    assert.ok(await eventuallyAsync(async () => (await jobMessages()) >= 2), 'job record and reply stored');
    const before = await jobMessages();

    const signer = operatorSigner(env, 'mallory');
    const attacks = [
      attackRequest({ callerid: 'user=mallory', reply_to: `$KV.${registryBucket('cohort')}.${registryKey('web2')}`, data: { path: join(env.dir, 'kv') } }),
      attackRequest({ callerid: 'user=mallory', reply_to: `$JS.API.STREAM.PURGE.${jobStreamName('cohort')}`, data: { path: join(env.dir, 'purge') } }),
      // another caller's reply subject: the reply would land in the operator's replies
      attackRequest({ callerid: 'user=mallory', reply_to: attackRequest().reply_to, data: { path: join(env.dir, 'other') } }),
    ];
    for (const request of attacks) mallory.publish(nodeSubject('cohort', 'web1'), requestBytes(request, signer));
    await mallory.flush();

    assert.ok(await eventuallyAsync(async () => ((await droppedOn(env, 'web1'))['foreign_reply_to'] ?? 0) >= attacks.length), 'web1 refused all three');
    for (const request of attacks) {
      const line = env.audit('web1').find((a) => a.request_id === request.id);
      assert.equal(line?.outcome, 'refused', request.reply_to);
      assert.equal(line?.reply_to, request.reply_to, 'the audit record carries reply_to');
      assert.deepEqual(line?.filter, request.filter, 'and the filter');
      assert.equal(line?.callerid, 'user=mallory', 'verified signature: the caller is known');
      assert.match(line?.reason ?? '', /is not this caller's reply subject/);
    }
    assert.equal(await web2Record(), 'web2', 'web2 is still in the registry');
    assert.equal(await jobMessages(), before, 'the job stream was not purged');
  });

  test('a permitted request with a foreign reply_to does not run either', async () => {
    const request = attackRequest({ reply_to: 'cohort.lifecycle.shutdown.web2', data: { path: join(env.dir, 'touched-permitted-foreign') } });
    const operator = await env.operatorBus();
    try {
      operator.publish(nodeSubject('cohort', 'web1'), requestBytes(request, operatorSigner(env)));
      await operator.flush();
    } finally {
      await operator.close();
    }
    assert.ok(await eventually(() => env.audit('web1').some((a) => a.request_id === request.id), 30_000));
    assert.equal(env.audit('web1').find((a) => a.request_id === request.id)?.outcome, 'refused');
    assert.equal(existsSync(join(env.dir, 'touched-permitted-foreign')), false);
  });
});
