// Finding 5 of the security review (issue 12): refused requests were audited
// with their full data, synchronously and unthrottled: 200 unsigned 900 KiB
// broadcasts added 203 MB to every node's audit log in 5 s, and a full disk
// makes a node refuse everything. Reproduced here in bounded form (160
// unsigned 128 KiB broadcasts, 20 MiB of data: the old audit log grew by as
// much); now refusals are audited with a hash, length and prefix of the
// data, rate-limited and aggregated per claimed caller and reason, and the
// claimed caller is recorded as claimed. Real nats-server with the shipped
// secure example, a real cohortd node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import type { NatsConnection } from 'nats';
import { broadcastSubject, encode, type AuditSummary } from '@cohort/core';
import { attackRequest, droppedOn, eventuallyAsync, missingOpenssl, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
let env: SecureFleet;
let mallory: NatsConnection;

before(async () => {
  if (skip) return;
  env = await startSecureFleet([{ identity: 'web1', role: 'web' }], { operators: ['operator', 'mallory'] });
  mallory = await env.busAs('mallory');
});
after(async () => {
  await mallory?.close();
  await env?.stop();
});

const payload = 'A'.repeat(128 * 1024);
const spoofed = 80;
const scattered = 80;

describe('finding 5: refusals cannot fill the disk', { skip }, () => {
  test('160 unsigned 128 KiB broadcasts leave a few KiB of audit log: digests, a rate limit and per-caller summaries', async () => {
    const sizeBefore = statSync(env.auditFile('web1'), { throwIfNoEntry: false })?.size ?? 0;
    const publish = (callerid: string) =>
      mallory.publish(broadcastSubject('cohort', 'rpcutil'), encode(attackRequest({ callerid, agent: 'rpcutil', action: 'ping', data: { junk: payload } })));
    // The same (spoofed) caller over and over, then a different made-up caller each time.
    for (let i = 0; i < spoofed; i++) publish('user=operator');
    for (let i = 0; i < scattered; i++) publish(`user=fake${i}`);
    await mallory.flush();
    assert.ok(await eventuallyAsync(async () => ((await droppedOn(env, 'web1'))['unsigned'] ?? 0) >= spoofed + scattered), 'web1 refused them all');

    const grown = statSync(env.auditFile('web1')).size - sizeBefore;
    assert.ok(grown < 256 * 1024, `the audit log grew by ${grown} bytes for ${((spoofed + scattered) * payload.length) / 1048576} MiB of refused data`);
    const lines = readFileSync(env.auditFile('web1'), 'utf8').trim().split('\n');
    for (const line of lines) assert.ok(line.length < 4096, `an audit line of ${line.length} characters`);
    const refused = env.audit('web1').filter((a) => a.outcome === 'refused' && !(a as unknown as AuditSummary).summary);
    const spoof = refused.filter((a) => a.claimed_callerid === 'user=operator');
    assert.equal(spoof.length, 5, 'at most 5 lines per claimed caller and reason');
    for (const a of spoof) {
      assert.equal(a.callerid, undefined, 'an unverified caller is never recorded as the caller');
      assert.equal(a.data, undefined, 'no data');
      assert.equal(a.data_digest?.bytes, JSON.stringify({ junk: payload }).length);
      assert.match(a.data_digest?.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.equal(a.data_digest?.prefix, JSON.stringify({ junk: payload }).slice(0, 64));
    }
    assert.ok(refused.length <= 60, `${refused.length} refusals written one by one (at most audit_refusals_per_minute)`);

    // The rest are counted: summaries are written when the interval ends, or when the node stops.
    await env.stopNode('web1');
    const summaries = env.audit('web1').filter((a) => (a as unknown as AuditSummary).summary) as unknown as AuditSummary[];
    const suppressed = summaries.reduce((n, s) => n + s.suppressed, 0);
    assert.equal(refused.length + suppressed, spoofed + scattered, 'every refusal is accounted for');
    assert.equal(summaries.find((s) => s.claimed_callerid === 'user=operator')?.suppressed, spoofed - 5);
    assert.ok(summaries.every((s) => s.reason_code === 'unsigned'));
  });
});
