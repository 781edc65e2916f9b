// Job subjects: async replies and job records are captured by the job
// stream; normal (sync) reply subjects never are; everything stays under the
// caller's private reply prefix (for broker ACLs). The stored record decodes
// back, and foreign messages are refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asyncReplySubject, emptyFilter, jobRecordSubject, jobStreamName, jobStreamSubjects, replyPrefix, replySubject } from '@cohort/core';
import { decodeJob, encodeJob, type JobRecord } from '../../packages/client/src/jobs/index.ts';

/** NATS subject matching (`*` one token, `>` the rest): an oracle independent of the code under test. */
function natsMatch(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const id = '6f1c0c8e4b2a4d5e9a7b3c2d1e0f9a8b';
const captured = (subject: string, collective = 'cohort') => jobStreamSubjects(collective).some((p) => natsMatch(p, subject));

test('async replies and job records are captured; sync replies are not', () => {
  for (const callerid of ['user=alice', 'user=bob@example.com', 'cert=x.y-z']) {
    assert.ok(captured(asyncReplySubject('cohort', callerid, id)));
    assert.ok(captured(jobRecordSubject('cohort', callerid, id)));
    assert.ok(!captured(replySubject('cohort', callerid, id)), 'a normal reply subject stays out of the stream');
    assert.ok(!captured(`cohort.node.web1`) && !captured('cohort.broadcast.agent.rpcutil'));
  }
  assert.ok(!captured(asyncReplySubject('other', 'user=alice', id)), 'one stream per collective');
});

test('job subjects stay under the caller\'s reply prefix (one ACL covers sync and async)', () => {
  const acl = `${replyPrefix('cohort', 'user=alice')}.>`;
  assert.ok(natsMatch(acl, asyncReplySubject('cohort', 'user=alice', id)));
  assert.ok(natsMatch(acl, jobRecordSubject('cohort', 'user=alice', id)));
  assert.ok(!natsMatch(acl, asyncReplySubject('cohort', 'user=bob', id)));
});

test('stream names are valid JetStream names', () => {
  assert.equal(jobStreamName('cohort'), 'cohort_jobs_cohort');
  assert.equal(jobStreamName('eu.west:1'), 'cohort_jobs_eu_west_1');
});

const record: JobRecord = {
  protocol: 'cohort:job:1', id, collective: 'cohort', callerid: 'user=alice', sender: 'laptop', agent: 'rpcutil', action: 'ping',
  data: {}, filter: emptyFilter(), nodes: ['web1', 'web2'], discovery: 'registry', time: 1763760000000, ttl: 60, timeout: 4,
};

test('job records round-trip', () => {
  assert.deepEqual(decodeJob(encodeJob(record), 'x'), record);
});

test('anything else is refused with a reason', () => {
  const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
  assert.throws(() => decodeJob(enc('{nope'), 'message 7'), /message 7 is not a job record \(not JSON\)/);
  assert.throws(() => decodeJob(enc([1]), 'm'), /not an object/);
  assert.throws(() => decodeJob(enc({ ...record, protocol: 'cohort:reply:1' }), 'm'), /protocol 'cohort:reply:1', expected cohort:job:1/);
  assert.throws(() => decodeJob(enc({ ...record, agent: 5 }), 'm'), /job field 'agent' must be a string/);
  assert.throws(() => decodeJob(enc({ ...record, time: 'now' }), 'm'), /job field 'time' must be a number/);
  assert.throws(() => decodeJob(enc({ ...record, nodes: [1] }), 'm'), /'nodes' must be a list of identities/);
  assert.throws(() => decodeJob(enc({ ...record, data: null }), 'm'), /'data' and 'filter' must be objects/);
});
