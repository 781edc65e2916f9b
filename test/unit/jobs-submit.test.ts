// Submitting an async job (fake bus and store): the stream is made ready and
// the job's record stored before any request leaves; every target gets the
// request with the stream-captured reply_to; plain identities skip
// discovery; no match sends and stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../packages/client/src/client.ts';
import { asyncReplySubject } from '@cohort/core';
import { JobReplies, submitJob, jobRetentionDefaults, type JobRecord, type JobRetention, type JobStore } from '../../packages/client/src/jobs/index.ts';
import { FakeBus, type FakeNode } from './client-fakes.js';

/** A FakeBus that also keeps what nodes publish to async reply subjects (as the job stream would). */
class CapturingBus extends FakeBus {
  readonly captured: Uint8Array[] = [];
  constructor(nodes: FakeNode[], readonly events: string[]) {
    super(nodes);
  }
  override publish(subject: string, data: Uint8Array): void {
    this.events.push(`publish ${subject}`);
    super.publish(subject, data);
  }
  override deliver(subject: string, bytes: Uint8Array): void {
    if (subject.includes('.async.')) this.captured.push(bytes);
    super.deliver(subject, bytes);
  }
}

function memoryStore(events: string[]): JobStore & { saved: JobRecord[] } {
  const saved: JobRecord[] = [];
  const unused = () => Promise.reject(new Error('not used by submit'));
  return {
    name: 'mem',
    saved,
    async ensure(r: JobRetention) {
      events.push('ensure');
      return r;
    },
    async save(record) {
      events.push('save');
      saved.push(record);
    },
    retention: unused,
    record: unused,
    records: unused,
    replies: unused,
    replyCounts: unused,
    follow: unused,
  };
}

const nodes: FakeNode[] = [{ identity: 'web1' }, { identity: 'web2' }, { identity: 'db1', agents: ['other'] }];
const job = { agent: 'rpcutil', action: 'ping', data: {}, ttl: 60, timeout: 4, retention: { ...jobRetentionDefaults } };

async function setup() {
  const events: string[] = [];
  const bus = new CapturingBus(nodes, events);
  const client = await Client.connect({ servers: [], bus, callerid: 'user=test', sender: 'tester', discoveryTimeout: 1, discoveryWindow: 0.05 });
  return { events, bus, client, store: memoryStore(events) };
}

test('stream ready, then the record, then the requests; replies land in the captured subject', async () => {
  const { events, bus, client, store } = await setup();
  const sent = await submitJob({ client, bus, store }, job);
  assert.ok(sent);
  const { record } = sent;
  assert.equal(record.discovery, 'broadcast');
  assert.deepEqual([...record.nodes].sort(), ['web1', 'web2'], 'the nodes hosting the agent');
  assert.deepEqual(store.saved, [record]);
  const direct = events.filter((e) => e.startsWith('publish cohort.node.'));
  assert.deepEqual(direct.sort(), ['publish cohort.node.web1', 'publish cohort.node.web2']);
  const order = events.filter((e) => !e.startsWith('publish cohort.broadcast'));
  assert.deepEqual(order.slice(0, 2), ['ensure', 'save'], 'nothing is sent to a node before the record is stored');
  const requests = bus.published.filter((p) => p.subject.startsWith('cohort.node.'));
  assert.ok(requests.every((p) => p.request.id === record.id && p.request.reply_to === asyncReplySubject('cohort', 'user=test', record.id)));
  assert.ok(requests.every((p) => p.subject === `cohort.node.${p.request.targets?.join()}`), 'each node\'s request names only that node as target');
  await new Promise((r) => setTimeout(r, 50));
  const replies = new JobReplies(record);
  for (const b of bus.captured) replies.push(b);
  assert.equal(replies.complete, true);
  await client.close();
});

test('plain identities are addressed without discovery, and --limit applies', async () => {
  const { bus, client, store } = await setup();
  const sent = await submitJob({ client, bus, store }, { ...job, filter: { identity: ['web1', 'web2', 'ghost'] }, limit: { kind: 'nodes', n: 2 }, limitSeed: 1 });
  assert.equal(sent?.record.discovery, 'nodes');
  assert.equal(sent?.record.nodes.length, 2);
  assert.ok(!bus.published.some((p) => p.subject.includes('broadcast')), 'no discovery');
  await client.close();
});

test('no matching node: nothing stored, no request sent', async () => {
  const { bus, client, store } = await setup();
  const sent = await submitJob({ client, bus, store }, { ...job, filter: { identity: ['/^nomatch/'] } });
  assert.equal(sent, undefined);
  assert.deepEqual(store.saved, []);
  assert.ok(!bus.published.some((p) => p.subject.startsWith('cohort.node.')));
  await client.close();
});

test('a store that cannot be made ready stops the job before anything is sent', async () => {
  const { bus, client, store } = await setup();
  store.ensure = () => Promise.reject(new Error('no JetStream'));
  await assert.rejects(submitJob({ client, bus, store }, job), /no JetStream/);
  assert.equal(bus.published.length, 0);
  await client.close();
});
