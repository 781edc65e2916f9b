// Cohort on a real 3-server NATS cluster (full mesh of routes on loopback):
// real cohortd processes spread over the servers; one server is killed while
// a stream of requests runs (every node reconnects to a survivor, every call
// ends within its deadline, no node runs a request twice); a request in
// flight when its client's server dies completes or names the missing
// nodes; and a single broker restarted on the same port gets its nodes back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { Client, type RpcStats } from '@cohort/client';
import { replySubject } from '@cohort/core';
import { examplePluginDir, repoRoot, startFleet, startNatsCluster, startNatsServer, subscribedSubjects, until, type Fleet, type NatsCluster } from '../harness/index.js';

const recordDir = join(repoRoot, 'test/fixtures/agents/record');
const pluginDirs = [examplePluginDir, recordDir];
const ddlDirs = [recordDir, examplePluginDir];

/** Fail instead of hanging: the call must end by itself well before this. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms (hung)`)), ms)));
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function call(client: Client, agent: string, action: string, data: Record<string, unknown>, nodes: string[], timeout: number): Promise<RpcStats> {
  const c = client.rpc({ agent, action, data, nodes, timeout });
  for await (const _ of c) void _;
  return c.stats();
}

/** `(request id, identity)` pairs of the record agent's log, with how often each appears. */
function executions(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const [id, identity] = line.split(' ');
    const key = `${id} ${identity}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Identities whose node subject is subscribed on one of the running members. */
async function connectedNodes(cluster: NatsCluster): Promise<Set<string>> {
  const out = new Set<string>();
  for (const m of cluster.members.filter((x) => x.running)) {
    for (const subject of (await subscribedSubjects(m.monitorPort)).keys()) if (subject.startsWith('cohort.node.')) out.add(subject.slice('cohort.node.'.length));
  }
  return out;
}

/** Milliseconds from `since` until every identity is connected to a running member (fails after `ms`). */
async function allConnected(cluster: NatsCluster, identities: string[], since: number, ms = 30000): Promise<number> {
  for (;;) {
    const where = await connectedNodes(cluster);
    if (identities.every((id) => where.has(id))) return Date.now() - since;
    if (Date.now() - since > ms) throw new Error(`not reconnected after ${ms} ms: ${identities.filter((id) => !where.has(id)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a 3-server NATS cluster', () => {
  let cluster: NatsCluster;
  const fleets: Fleet[] = [];
  const groups: string[][] = [0, 1, 2].map((i) => [`s${i + 1}-a`, `s${i + 1}-b`]);
  const all = groups.flat();
  let work: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'cohort-cluster-'));
    cluster = await startNatsCluster(3);
    // Group i lists only server i: it learns the other members from the
    // cluster (connect_urls), which is what lets it fail over.
    for (const [i, ids] of groups.entries()) {
      const member = cluster.members[i]!;
      fleets.push(
        await startFleet({
          natsUrl: member.url,
          monitorPort: member.monitorPort,
          nodes: ids.map((identity) => ({ identity, facts: { group: i + 1 }, classes: [] })),
          pluginDirs,
        }),
      );
    }
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.stop()));
    await cluster?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('nodes are spread over the three servers', async () => {
    for (const [i, ids] of groups.entries()) {
      const subs = await subscribedSubjects(cluster.members[i]!.monitorPort);
      for (const id of ids) assert.ok(subs.has(`cohort.node.${id}`), `${id} is connected to ${cluster.members[i]!.name}`);
    }
  });

  test('the same request delivered twice to a node runs once', async () => {
    const log = join(work, 'twice.log');
    const nc: NatsConnection = await connect({ servers: cluster.members[1]!.url });
    try {
      const id = 'ab'.repeat(16);
      const request = {
        protocol: 'cohort:request:1', id, sender: 'test', callerid: 'user=test', collective: 'cohort',
        agent: 'record', action: 'record', data: { path: log, tag: 'twice' },
        filter: { fact: [], cf_class: [], agent: [], identity: [], compound: [] },
        ttl: 60, time: Date.now(), reply_to: replySubject('cohort', 'user=test', id), // nodes reply only on the caller's own subject
      };
      const replies: string[] = [];
      nc.subscribe(replySubject('cohort', 'user=test', id), { callback: (_e, m) => replies.push(m.string()) });
      /** s1-a's daemon_stats, asked on its own subject after everything published before (one connection keeps the order). */
      let asked = 0;
      const stats = async (): Promise<{ total: number; dropped: number }> => {
        const statsId = (++asked).toString(16).padStart(32, '0');
        const m = await nc.request('cohort.node.s1-a', new TextEncoder().encode(JSON.stringify({
          ...request, id: statsId, agent: 'rpcutil', action: 'daemon_stats', data: {}, time: Date.now(), reply_to: replySubject('cohort', 'user=test', statsId),
        })), { timeout: 10_000, noMux: true, reply: replySubject('cohort', 'user=test', statsId) });
        const data = (JSON.parse(m.string()) as { data: { total: number; dropped: Record<string, number> } }).data;
        return { total: data.total, dropped: Object.values(data.dropped).reduce((a, b) => a + b, 0) };
      };
      const before = await stats();
      const bytes = new TextEncoder().encode(JSON.stringify(request));
      nc.publish('cohort.node.s1-a', bytes);
      nc.publish('cohort.node.s1-a', bytes);
      await nc.flush();
      // Both copies reached the node (its message count, each stats call counting itself) and the first one replied:
      // the second was decided by then, so no second reply can follow.
      let now = before;
      const calls = asked;
      await until('s1-a to take both copies and reply to one', async () => (now = await stats()).total - before.total >= 2 + (asked - calls) && replies.length >= 1, { timeoutMs: 10_000, everyMs: 50 });
      assert.equal(now.dropped - before.dropped, 1, 'the second copy was dropped, counted');
      assert.equal(replies.length, 1, 'exactly one reply');
      assert.deepEqual([...executions(log).entries()], [[`${id} s1-a`, 1]], 'executed once');
    } finally {
      await nc.close();
    }
  });

  test('killing a server while requests run: every call ends, nodes fail over, nothing runs twice', async () => {
    const log = join(work, 'stream.log');
    const client = await Client.connect({ servers: [cluster.members[1]!.url, cluster.members[2]!.url], callerid: 'user=test', ddlDirs });
    const results: RpcStats[] = [];
    try {
      let seq = 0;
      // Healthy cluster: a few calls, all six nodes answer.
      for (let i = 0; i < 3; i++) results.push(await within(10000, 'call', call(client, 'record', 'record', { path: log, tag: String(seq++) }, all, 3)));
      assert.ok(results.every((s) => s.responded === 6), 'before the failure every node answers');

      const killedAt = Date.now();
      const killing = cluster.members[0]!.kill();
      const reconnected = killing.then(() => allConnected(cluster, all, killedAt));
      let recoveredAt: number | undefined;
      // Keep the stream going until every node answers again (bounded).
      while (recoveredAt === undefined && Date.now() - killedAt < 60000) {
        const stats = await within(10000, 'call during failover', call(client, 'record', 'record', { path: log, tag: String(seq++) }, all, 3));
        results.push(stats);
        assert.equal(stats.responded + stats.no_response.length, 6, 'each call accounts for every node: replied or listed as missing');
        if (stats.responded === 6) recoveredAt = Date.now();
      }
      const reconnectMs = await reconnected;
      assert.ok(recoveredAt !== undefined, 'every node answers again after the server died');
      console.log(
        `cluster failover: ${cluster.members[0]!.name} killed; its nodes resubscribed on a survivor after ${reconnectMs} ms; ` +
          `first call answered by all 6 nodes ended ${recoveredAt - killedAt} ms after the kill (${results.length} calls, call timeout 3 s)`,
      );

      const where = await connectedNodes(cluster);
      assert.deepEqual([...where].sort(), [...all].sort(), 'every node is connected to a surviving server');

      const counts = executions(log);
      const twice = [...counts].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no node executed a request twice');
      const ok = results.reduce((n, s) => n + s.ok, 0);
      assert.ok(counts.size >= ok, `every OK reply was an execution (${counts.size} executions, ${ok} OK replies)`);
    } finally {
      await client.close();
    }
  });

  test('a request in flight when the client\'s server dies completes or names the missing nodes', async () => {
    await cluster.members[0]!.start();
    await cluster.waitForRoutes();
    const client = await Client.connect({ servers: [cluster.members[2]!.url, cluster.members[0]!.url], callerid: 'user=test', ddlDirs });
    try {
      const c = client.rpc({ agent: 'echo', action: 'sleep', data: { seconds: 1 }, nodes: all, timeout: 5 });
      const replies: string[] = [];
      const drained = (async () => {
        for await (const r of c) replies.push(r.sender);
      })();
      await new Promise((r) => setTimeout(r, 300));
      await cluster.members[2]!.kill();
      const stats = await within(20000, 'the in-flight call', drained.then(() => c.stats()));
      assert.equal(stats.discovered, 6);
      assert.equal(stats.responded + stats.no_response.length, 6, `replied ${stats.responded}, missing ${stats.no_response.join(', ')}`);
      assert.deepEqual([...replies, ...stats.no_response].sort(), [...all].sort());
      console.log(`in-flight call across a server death: ${stats.responded} replied, missing: ${stats.no_response.join(', ') || 'none'}`);
    } finally {
      await client.close();
      await cluster.members[2]!.start();
    }
  });
});

describe('a single broker restarted on the same port', () => {
  test('a call while the broker is down ends with every node missing; nodes and client are back after the restart', async () => {
    let nats = await startNatsServer();
    const { port, monitorPort } = nats;
    const ids = ['r1', 'r2', 'r3'];
    const fleet = await startFleet({ natsUrl: nats.url, monitorPort, nodes: ids.map((identity) => ({ identity, facts: {}, classes: [] })) });
    let client: Client | undefined = await Client.connect({ servers: nats.url, callerid: 'user=test' });
    try {
      nats.kill();
      await new Promise((r) => nats.process.once('exit', r));
      // The client is reconnecting: the call must still end at its deadline, naming every node.
      const down = await within(15000, 'a call with the broker down', call(client, 'rpcutil', 'ping', {}, ids, 1));
      assert.deepEqual(down.no_response, ids);
      const restartedAt = Date.now();
      nats = await startNatsServer({ port, monitorPort });
      let subscribedMs: number | undefined;
      while (subscribedMs === undefined && Date.now() - restartedAt < 60000) {
        const subs = await subscribedSubjects(monitorPort);
        if (ids.every((id) => subs.has(`cohort.node.${id}`))) subscribedMs = Date.now() - restartedAt;
        else await new Promise((r) => setTimeout(r, 20));
      }
      let backAt: number | undefined;
      while (backAt === undefined && Date.now() - restartedAt < 60000) {
        const stats = await within(10000, 'ping', call(client, 'rpcutil', 'ping', {}, ids, 1));
        if (stats.responded === ids.length) backAt = Date.now();
      }
      assert.ok(backAt !== undefined, 'all nodes answer again within 60 s of the restart');
      console.log(`broker restart: all ${ids.length} nodes subscribed again ${subscribedMs} ms and answering ${backAt - restartedAt} ms after the server was started again`);
    } finally {
      await client?.close();
      await fleet.stop();
      await nats.stop();
    }
  });
});
