// The client's one-request read of a key-value bucket's current values
// (packages/client/src/bus/kv-latest.ts: `mine get`, `checks`, the web
// console's fleet page) against a real nats-server with JetStream: every key
// with its latest value, deletions as removals, the bucket's order; a missing
// bucket and a server without JetStream as "missing"; values larger than
// the server's flow-control window (the read answers flow control); no
// consumer left on the server afterwards; and, while writers keep replacing
// values, every key in every read: the race found while building it (the
// server said nothing was pending while a replaced key's new value was still
// on its way, ~1 read in 10 missed a key) stays fixed. Also the registry's
// read-once for the CLI (bus/kv.ts readKvBucketOnce), built on it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { connectBus, type Bus, type BucketEntry, mine } from '@cohort/client';
import { startNatsServer, type NatsServer } from '../harness/index.js';

function latestOf(bus: Bus): mine.KvLatestReader {
  const latest = bus.mineKv?.latest;
  assert.ok(latest, 'the NATS bus reads buckets in one request');
  return latest;
}

async function readAll(bus: Bus, bucket: string, filter: string): Promise<{ entries: mine.KvEntry[]; missing?: string }> {
  const entries: mine.KvEntry[] = [];
  const missing = await latestOf(bus)(bucket, filter, (e) => entries.push(e));
  return missing === undefined ? { entries } : { entries, missing: missing.missing };
}

describe('reading a bucket in one request', () => {
  let nats: NatsServer;
  let bus: Bus;
  let nc: NatsConnection;
  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    bus = await connectBus({ servers: [nats.url] });
    nc = await connect({ servers: nats.url });
  });
  after(async () => {
    await bus?.close();
    await nc?.close();
    await nats?.stop();
  });

  test('every key matching the filter, with its latest value; a deleted key as a removal; other functions left out', async () => {
    const kv = await bus.mineKv!('latest_basic', true);
    assert.ok(!mine.isKvMissing(kv));
    const t0 = Date.now();
    for (let i = 0; i < 50; i++) await kv.put(`role.node-${i}`, new TextEncoder().encode(`first ${i}`));
    for (let i = 0; i < 50; i += 5) await kv.put(`role.node-${i}`, new TextEncoder().encode(`second ${i}`));
    await kv.put('other.node-1', new TextEncoder().encode('not role'));
    await kv.delete('role.node-7');
    const { entries, missing } = await readAll(bus, 'latest_basic', 'role.>');
    assert.equal(missing, undefined);
    assert.equal(entries.length, 50, 'one entry per key');
    const byKey = new Map(entries.map((e) => [e.key, e]));
    for (let i = 0; i < 50; i++) {
      const e = byKey.get(`role.node-${i}`);
      assert.ok(e, `role.node-${i} read`);
      if (i === 7) assert.equal(e.value, undefined, 'a deleted key reads as a removal');
      else assert.equal(new TextDecoder().decode(e.value), `${i % 5 === 0 ? 'second' : 'first'} ${i}`);
      assert.ok(e.created >= t0 - 1000 && e.created <= Date.now() + 1000, `created ${e.created} is the server's storing time`);
    }
    assert.ok(!byKey.has('other.node-1'));
    // Same answer as the watch it replaces, in the same order.
    const viaWatch: string[] = [];
    await kv.watch('role.>', (e) => viaWatch.push(e.key), false);
    assert.deepEqual(entries.map((e) => e.key), viaWatch);
  });

  test('an empty match, a missing bucket and a server without JetStream are told apart', async () => {
    const kv = await bus.mineKv!('latest_empty', true);
    assert.ok(!mine.isKvMissing(kv));
    await kv.put('a.x', new Uint8Array([1]));
    assert.deepEqual(await readAll(bus, 'latest_empty', 'b.>'), { entries: [] });
    const none = await readAll(bus, 'latest_nothing_here', '>');
    assert.match(none.missing ?? '', /there is no bucket latest_nothing_here yet/);
    const plain = await startNatsServer({ jetstream: false });
    const plainBus = await connectBus({ servers: [plain.url] });
    try {
      const r = await readAll(plainBus, 'latest_basic', '>');
      assert.match(r.missing ?? '', /no JetStream/);
    } finally {
      await plainBus.close();
      await plain.stop();
    }
  });

  test('values beyond the flow-control window arrive whole, and no consumer is left behind', async () => {
    const kv = await bus.mineKv!('latest_big', true);
    assert.ok(!mine.isKvMissing(kv));
    const big = new Uint8Array(256 * 1024);
    for (let i = 0; i < 120; i++) {
      big.fill(i % 251);
      await kv.put(`big.v${i}`, big);
    }
    const { entries } = await readAll(bus, 'latest_big', 'big.>');
    assert.equal(entries.length, 120);
    for (const e of entries) {
      const i = Number(e.key.slice('big.v'.length));
      assert.equal(e.value?.length, big.length);
      assert.ok(e.value?.every((b) => b === i % 251), `${e.key} arrived whole`);
    }
    const jsm = await nc.jetstreamManager();
    const consumers = await jsm.consumers.list('KV_latest_big').next();
    assert.deepEqual(consumers.map((c) => c.name), [], 'the read deleted its consumer');
  });

  test('a bucket read once (the CLI\'s registry): every key, a deletion as DEL, the max age, missing told apart, no consumer left', async () => {
    const kv = await bus.mineKv!('once_basic', true, 120);
    assert.ok(!mine.isKvMissing(kv));
    for (let i = 0; i < 30; i++) await kv.put(`node-${i}`, new TextEncoder().encode(`record ${i}`));
    await kv.delete('node-4');
    const entries: BucketEntry[] = [];
    const read = await bus.readBucket!('once_basic', (e) => entries.push(e));
    assert.deepEqual(read, { maxAgeMs: 120_000 }, 'the bucket\'s max age, from its stream');
    assert.equal(entries.length, 30);
    for (const e of entries) {
      if (e.key === 'node-4') assert.equal(e.operation, 'DEL');
      else assert.equal(`${e.operation} ${new TextDecoder().decode(e.value)}`, `PUT record ${e.key.slice('node-'.length)}`);
    }
    const jsm = await nc.jetstreamManager();
    assert.deepEqual((await jsm.consumers.list('KV_once_basic').next()).map((c) => c.name), [], 'nothing keeps watching');
    assert.match((await bus.readBucket!('once_nothing_here', () => undefined) as { missing: string }).missing, /there is no registry bucket once_nothing_here/);
    const plain = await startNatsServer({ jetstream: false });
    const plainBus = await connectBus({ servers: [plain.url] });
    try {
      assert.match((await plainBus.readBucket!('once_basic', () => undefined) as { missing: string }).missing, /no JetStream/);
    } finally {
      await plainBus.close();
      await plain.stop();
    }
  });

  test('while writers keep replacing values, every read has every key', async () => {
    const keys = 400;
    const kv = await bus.mineKv!('latest_race', true);
    assert.ok(!mine.isKvMissing(kv));
    for (let i = 0; i < keys; i++) await kv.put(`role.n${i}`, new TextEncoder().encode(`v0 ${i}`));
    const writer = await connectBus({ servers: [nats.url] });
    const wkv = await writer.mineKv!('latest_race', false);
    assert.ok(!mine.isKvMissing(wkv));
    let writing = true;
    let writes = 0;
    // Two writers replacing random keys as fast as the server takes them (a bucket keeps one value per key).
    const writers = [0, 1].map(async () => {
      while (writing) {
        const i = Math.floor(Math.random() * keys);
        await wkv.put(`role.n${i}`, new TextEncoder().encode(`v${++writes} ${i}`));
      }
    });
    try {
      const short: string[] = [];
      for (let round = 0; round < 60; round++) {
        const { entries } = await readAll(bus, 'latest_race', 'role.>');
        const seen = new Set(entries.map((e) => e.key));
        if (seen.size !== keys) short.push(`read ${round}: ${seen.size} of ${keys} keys`);
      }
      assert.ok(writes > 100, `the writers wrote meanwhile (${writes})`);
      assert.deepEqual(short, []);
    } finally {
      writing = false;
      await Promise.all(writers);
      await writer.close();
    }
  });
});
