// The request envelopes the client sends: one per group of targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSigner, emptyFilter, encodeRequest, filterLimits, generateKeyPair, openRequest, TrustStore, verifyRequest } from '@cohort/core';
import { buildRequest, signedGroupSize, targetedRequests, type Caller } from '@cohort/client';

const caller: Caller = { collective: 'cohort', callerid: 'user=alice', sender: 'laptop' };
const fields = { agent: 'rpcutil', action: 'echo', data: { msg: 'a "quoted" \u00e9 \\ msg' }, filter: { ...emptyFilter(), agent: ['rpcutil'] }, ttl: 60 };

test('unsigned: the envelope for a group is exactly the request with that group as targets', () => {
  const t = targetedRequests(caller, 'a'.repeat(32), fields, undefined);
  assert.equal(t.groupSize, 1);
  for (const group of [['web1'], ['web-2.example.com', 'x_y']]) {
    const bytes = t.encode(group);
    const opened = openRequest(bytes);
    const expected = { ...buildRequest(caller, 'a'.repeat(32), { ...fields, targets: group }), time: opened.request.time };
    assert.deepEqual(opened.request, expected);
    assert.deepEqual(bytes, encodeRequest(expected, undefined), 'byte for byte what encodeRequest makes');
  }
});

test('signed: one signature per group of targets, each verifying and naming just its group', () => {
  const pair = generateKeyPair();
  const signer = createSigner(pair.privateKey, caller.callerid);
  const t = targetedRequests(caller, 'b'.repeat(32), fields, signer);
  assert.equal(t.groupSize, signedGroupSize);
  const group = Array.from({ length: signedGroupSize }, (_, i) => `node${i}`);
  const opened = openRequest(t.encode(group));
  assert.deepEqual(opened.request.targets, group);
  assert.equal(opened.request.agent, 'rpcutil');
  const trust = new TrustStore('caller', new Map([[signer.publicKey, caller.callerid]]), new Set());
  const verified = verifyRequest(opened, trust, Date.now());
  assert.notEqual(typeof verified, 'string', `verifies: ${String(verified)}`);
});

test('a filter over the size limit is refused before anything is encoded', () => {
  const filter = { ...emptyFilter(), identity: Array.from({ length: filterLimits.identities + 1 }, (_, i) => `n${i}`) };
  assert.throws(() => targetedRequests(caller, 'c'.repeat(32), { ...fields, filter }, undefined), /narrow it down/);
});
