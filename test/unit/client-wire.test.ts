// The request envelopes the client sends: one per group of targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSigner, emptyFilter, encodeRequest, filterLimits, generateKeyPair, openRequest, TrustStore, verifyRequest } from '@cohort/core';
import { buildRequest, publishTargeted, signedGroupSize, targetedRequests, type Bus, type Caller } from '@cohort/client';

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

test('publishTargeted: signed, 70 nodes go out in envelopes of 32, 32 and 6, each naming the node it is sent to', () => {
  const signer = createSigner(generateKeyPair().privateKey, caller.callerid);
  const sent: Array<{ subject: string; targets: string[] | undefined; data: Uint8Array }> = [];
  const bus = { publish: (subject: string, data: Uint8Array) => void sent.push({ subject, targets: openRequest(data).request.targets, data }) } as unknown as Bus;
  const ids = Array.from({ length: 70 }, (_, i) => `n${i}`);
  const told: string[] = [];
  publishTargeted(bus, 'cohort', ids, targetedRequests(caller, 'd'.repeat(32), fields, signer), (id) => told.push(id));
  assert.deepEqual(told, ids);
  assert.deepEqual(sent.map((s) => s.subject), ids.map((id) => `cohort.node.${id}`));
  assert.ok(sent.every((s, i) => s.targets?.includes(ids[i]!)));
  assert.deepEqual([...new Set(sent.map((s) => s.data))].map((d) => openRequest(d).request.targets?.length), [32, 32, 6], 'one envelope per group');
});
