// A job's replies read back from the stream: counted per expected node,
// foreign and garbage messages dropped, surprises and duplicates listed as
// unexpected, and the nodes still missing named in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyFilter, type RequestMessage } from '@cohort/core';
import { JobReplies, type JobRecord } from '../../packages/client/src/jobs/index.ts';
import { reply } from './client-fakes.js';

const id = 'ab'.repeat(16);
const record: JobRecord = {
  protocol: 'cohort:job:1', id, collective: 'cohort', callerid: 'user=t', sender: 's', agent: 'rpcutil', action: 'ping',
  data: {}, filter: emptyFilter(), nodes: ['web1', 'web2', 'db1'], discovery: 'nodes', time: Date.now() - 1000, ttl: 60, timeout: 4,
};
const request = { id, agent: 'rpcutil', action: 'ping' } as RequestMessage;

test('replies from expected nodes count; the rest are missing, in order', () => {
  const r = new JobReplies(record);
  assert.equal(r.push(reply(request, 'web2'))?.sender, 'web2');
  r.push(reply(request, 'db1', 1));
  const s = r.stats();
  assert.equal(r.complete, false);
  assert.deepEqual({ discovered: s.discovered, responded: s.responded, ok: s.ok, failed: s.failed, no_response: s.no_response }, { discovered: 3, responded: 2, ok: 1, failed: 1, no_response: ['web1'] });
  assert.equal(s.requestid, id);
  assert.ok(s.total_ms >= 0);
  r.push(reply(request, 'web1'));
  assert.equal(r.complete, true);
  assert.deepEqual(r.stats().no_response, []);
});

test('garbage and replies to other requests are dropped, not counted', () => {
  const r = new JobReplies(record);
  assert.equal(r.push(new TextEncoder().encode('not json')), undefined);
  assert.equal(r.push(reply({ ...request, id: 'cd'.repeat(16) }, 'web1')), undefined);
  assert.equal(r.dropped, 2);
  assert.equal(r.stats().responded, 0);
  assert.equal(r.replies.length, 0);
});

test('a node that was not addressed, or replies twice, is unexpected', () => {
  const r = new JobReplies(record);
  r.push(reply(request, 'web1'));
  assert.equal(r.push(reply(request, 'web1'))?.unexpected, true);
  assert.equal(r.push(reply(request, 'intruder'))?.unexpected, true);
  const s = r.stats();
  assert.deepEqual(s.unexpected, ['web1', 'intruder']);
  assert.equal(s.responded, 1);
  assert.equal(s.ok, 1);
});
