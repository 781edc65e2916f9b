// The registry against real cohortd processes on a JetStream-enabled private
// nats-server: registry and broadcast discovery agree on a fleet with varied
// facts, early completion with the registered set, the fstat fallback,
// facts/inventory from the registry, `cohort registry check`, and records
// appearing, expiring (short TTL) and leaving with lifecycle events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { buildFilter, readLifecycle, registryBucket, registryKey, TrustStore, type LifecycleMessage } from '@cohort/core';
import { Client } from '@cohort/client';
import { simNode } from '@cohort/server';
import { cohort, loadNodeDescriptors, startFleet, startNatsServer, until, type Fleet, type NatsServer, type NodeDescriptor } from '../harness/index.js';

// The example fleet plus synthetic nodes with other facts, and identities that need key escaping.
function nodes(): NodeDescriptor[] {
  const synthetic = [3, 4, 10, 12, 21, 35].map((i) => {
    const n = simNode('syn', i);
    return { identity: n.identity, facts: n.facts as Record<string, unknown>, classes: [...n.classes] };
  });
  const odd = { identity: 'lab:7@edge', facts: { role: 'web', os: { family: 'Debian', release: '11' }, cpus: 1, tags: [] }, classes: ['base'] };
  return [...loadNodeDescriptors(), ...synthetic, odd];
}

describe('on a fleet with varied facts', () => {
  let nats: NatsServer;
  let fleet: Fleet;
  let client: Client;
  const all = nodes().map((n) => n.identity).sort();
  const run = (args: string[], input?: string) => cohort(args, { nats: nats.url, env: fleet.clientEnv, ...(input !== undefined ? { input } : {}) });

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes: nodes(), registry: true });
    client = await Client.connect({ servers: nats.url, callerid: 'user=test', nodeTrust: TrustStore.load({ kind: 'node', issuers: [fleet.issuer!] }) });
  });
  after(async () => {
    await client?.close();
    await fleet?.stop();
    await nats?.stop();
  });

  test('registry and broadcast discovery return the same nodes for every filter', async () => {
    const specs: Array<Parameters<typeof buildFilter>[0]> = [
      {},
      { fact: ['role=web'] },
      { fact: ['role=WEB'] },
      { fact: ['os.family=debian'] },
      { fact: ['cpus>8'] },
      { fact: ['cpus<=4'] },
      { fact: ['os.release>=12'] },
      { fact: ['datacenter=/^fra/'] },
      { fact: ['tags=prod'] },
      { fact: ['tags!=prod'] },
      { fact: ['virtual=true', 'role!=web'] },
      { fact: ['environment=staging'] },
      { fact: ['missing.fact=1'] },
      { fact: ['index>10'] },
      { cls: ['mysql'] },
      { cls: ['/^apa/'] },
      { cls: ['monitoring'] },
      { identity: ['web1', 'db2'] },
      { identity: ['/^syn-/'] },
      { identity: ['lab:7@edge'] },
      { agent: ['echo'] },
      { agent: ['nosuchagent'] },
      { with: ['mysql environment=production'] },
      { with: ['base role=cache'] },
      { select: ['(role=web and country=de) or os.family=redhat'] },
      { select: ['not apache and cpus>=8'] },
      { select: ["fact('os.family')=alpine or /^mon/"] },
      { select: ["fact('nosuch').exists=false and role=db"] },
      { select: ['role=db', 'country=fr'] },
      { fact: ['role=web'], cls: ['base'], select: ['not php'] },
    ];
    for (const spec of specs) {
      const filter = buildFilter(spec);
      const plan = await client.planDiscovery(filter, 'registry');
      assert.equal(plan.method, 'registry', JSON.stringify(spec));
      const broadcast = (await client.discover(filter, { timeout: 2, window: 0.3 })).sort();
      assert.deepEqual(plan.method === 'registry' ? plan.identities : [], broadcast, `filter ${JSON.stringify(spec)}`);
    }
  });

  test('a client that reads the registry once (the CLI) sees what a watching client sees', async () => {
    const once = await Client.connect({ servers: nats.url, callerid: 'user=test', nodeTrust: TrustStore.load({ kind: 'node', issuers: [fleet.issuer!] }), watchRegistry: false });
    try {
      const [watched, read] = [await client.registry(), await once.registry()];
      assert.equal(read.unavailable, undefined);
      assert.deepEqual(read.nodes().map((n) => n.identity).sort(), all);
      assert.deepEqual(read.nodes().map((n) => n.identity).sort(), watched.nodes().map((n) => n.identity).sort());
      assert.ok(read.maxAgeMs > 0);
      assert.equal(read.maxAgeMs, watched.maxAgeMs);
      const filter = buildFilter({ fact: ['role=web'] });
      assert.deepEqual(await once.planDiscovery(filter), await client.planDiscovery(filter));
    } finally {
      await once.close();
    }
  });

  test('cohort find: --dm registry, --dm broadcast and the default agree; -v names the method', async () => {
    for (const filter of [['-F', 'role=web'], ['-C', 'mysql', '-F', 'cpus>=16'], ['-S', 'os.family=debian and not apache']]) {
      const [reg, bc, auto] = await Promise.all([run(['find', ...filter, '--dm', 'registry']), run(['find', ...filter, '--dm', 'broadcast']), run(['find', ...filter, '-v'])]);
      assert.equal(reg.code, 0, reg.stderr);
      assert.equal(reg.stdout, bc.stdout);
      assert.equal(auto.stdout, reg.stdout);
      assert.match(auto.stderr, /^registry discovery: \d+ of 12 registered node\(s\) match$/m);
    }
  });

  test('a filter needing fstat falls back to broadcast, and -v says so', async () => {
    const r = await run(['find', '-S', "fstat('/etc/hosts').size>0", '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /broadcast discovery: the filter needs node-side data \(fstat\(\)\), which the registry does not hold/);
    assert.deepEqual(r.stdout.trim().split('\n'), all);
    const rpc = await run(['rpc', 'rpcutil', 'ping', '-S', "fstat('/tmp/cohort-no-such-file').present=false and role=db", '-v', '--json']);
    assert.equal(rpc.code, 0, rpc.stderr);
    assert.match(rpc.stderr, /needs node-side data \(fstat\(\)\)/);
    const senders = (JSON.parse(rpc.stdout) as { replies: Array<{ sender: string }> }).replies.map((x) => x.sender).sort();
    assert.deepEqual(senders, all.filter((id) => nodes().find((n) => n.identity === id)?.facts['role'] === 'db'));
  });

  test('with the registered set, an RPC ends the moment the last node replied', async () => {
    const call = client.rpc({ agent: 'rpcutil', action: 'ping', discoveryMethod: 'registry', timeout: 20 });
    const stats = await call.stats();
    assert.equal(stats.discovered, all.length);
    assert.equal(stats.responded, all.length);
    assert.ok(stats.total_ms < 2000, `took ${stats.total_ms} ms of a 20 s timeout`);
    const cli = await run(['rpc', 'rpcutil', 'ping', '-v']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`Finished processing ${all.length} / ${all.length} hosts`));
    assert.match(cli.stderr, /registry discovery/);
  });

  test('a registered node that does not answer is reported, and the call waits only for the timeout', async () => {
    const victim = fleet.nodes.get('db2')!;
    victim.process.kill('SIGSTOP');
    try {
      const r = await run(['rpc', 'rpcutil', 'ping', '-t', '1.5', '--json']);
      assert.equal(r.code, 1, r.stderr);
      const res = JSON.parse(r.stdout) as { stats: { discovered: number; responded: number; no_response: string[] } };
      assert.equal(res.stats.discovered, all.length);
      assert.deepEqual(res.stats.no_response, ['db2']);
      assert.ok(r.ms >= 1500, `ended after ${r.ms} ms`);
    } finally {
      victim.process.kill('SIGCONT');
      // A stopped process misses the server's pings and may be reconnecting: the later tests need it answering again.
      const deadline = Date.now() + 60_000;
      while ((await run(['rpc', 'rpcutil', 'ping', '-I', 'db2', '-t', '1', '--dm', 'broadcast'])).code !== 0) {
        if (Date.now() > deadline) throw new Error('db2 does not answer again after SIGCONT');
      }
    }
  });

  test('facts and inventory read the registry by default and match --live', async () => {
    const reg = await run(['facts', 'os.family', '--json', '-v']);
    const live = await run(['facts', 'os.family', '--json', '--live']);
    assert.equal(reg.code, 0, reg.stderr);
    assert.equal(live.code, 0, live.stderr);
    assert.match(reg.stderr, /registry discovery/);
    const values = (out: string) => (JSON.parse(out) as { values: unknown[] }).values;
    assert.equal((JSON.parse(reg.stdout) as { source: string }).source, 'registry');
    assert.deepEqual(values(reg.stdout), values(live.stdout));
    const inv = await run(['inventory', 'lab:7@edge']);
    assert.equal(inv.code, 0, inv.stderr);
    assert.match(inv.stdout, /registered => .*s ago, refreshed every 60 s/);
    assert.match(inv.stdout, /os\.release => 11/);
    const invLive = await run(['inventory', 'lab:7@edge', '--live']);
    assert.equal(invLive.code, 0, invLive.stderr);
    assert.doesNotMatch(invLive.stdout, /registered =>/);
    assert.match(invLive.stdout, /os\.release => 11/);
  });

  test('cohort registry check: OK, CRITICAL/WARNING for missing nodes, CRITICAL for stale, UNKNOWN without a registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-check-'));
    try {
      const expected = join(dir, 'expected.txt');
      writeFileSync(expected, [...all, 'ghost1'].join('\n'));
      const ok = await run(['registry', 'check']);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, new RegExp(`^REGISTRY OK: 12 of 12 node\\(s\\) current.*\\|totalhosts=12 oldhosts=0 currenthosts=12 missinghosts=0 ignoredrecords=0 checktime=`));
      const missing = await run(['registry', 'check', '--nodes', expected]);
      assert.equal(missing.code, 2, missing.stdout);
      assert.match(missing.stdout, /^REGISTRY CRITICAL:.*missinghosts=1/);
      assert.match(missing.stdout, /^MISSING: ghost1: not in the registry$/m);
      const warning = await run(['registry', 'check', '--nodes', expected, '-w', '1', '-c', '3']);
      assert.equal(warning.code, 1, warning.stdout);
      assert.match(warning.stdout, /^REGISTRY WARNING/);
      const stale = await run(['registry', 'check', '--stale', '1ms', '-F', 'role=db']);
      assert.equal(stale.code, 2, stale.stdout);
      const dbs = nodes().filter((n) => n.facts['role'] === 'db').length;
      assert.ok(dbs >= 2);
      assert.match(stale.stdout, new RegExp(`oldhosts=${dbs} currenthosts=0`));
      assert.match(stale.stdout, /^STALE: db1: last registered \d+ s ago \(heartbeat every 60 s/m);
      const none = await run(['registry', 'check', '-T', 'nowhere']);
      assert.equal(none.code, 3, none.stdout);
      assert.match(none.stdout, /^REGISTRY UNKNOWN: cannot read the registry: there is no registry bucket cohort_registry_nowhere/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('records appear and expire (short TTL), lifecycle events', () => {
  let nats: NatsServer;
  let fleet: Fleet | undefined;
  let spy: NatsConnection;
  const events: LifecycleMessage[] = [];
  const list = async (): Promise<string[]> => {
    const r = await cohort(['registry', 'list', '--json'], { nats: nats.url, env: fleet?.clientEnv ?? {} });
    if (r.code !== 0) return [];
    return (JSON.parse(r.stdout) as Array<{ identity: string }>).map((x) => x.identity).sort();
  };

  before(async () => {
    nats = await startNatsServer({ jetstream: true });
    spy = await connect({ servers: nats.url });
    spy.subscribe('cohort.lifecycle.>', {
      callback: (_e, m) => {
        const reading = readLifecycle(m.data, undefined, undefined, Date.now());
        if ('event' in reading) events.push(reading.event);
      },
    });
    await spy.flush();
  });
  after(async () => {
    await spy?.close();
    await fleet?.stop();
    await nats?.stop();
  });

  test('records appear at start, a stopped node leaves at once, a killed one expires after the TTL', async () => {
    const three = loadNodeDescriptors().slice(0, 3);
    const ids = three.map((n) => n.identity).sort();
    fleet = await startFleet({ natsUrl: nats.url, monitorPort: nats.monitorPort, nodes: three, registry: true, config: { registration: { interval: 1, ttl: 3 } } });
    assert.deepEqual(await list(), ids);
    assert.deepEqual(events.filter((e) => e.event === 'startup').map((e) => e.identity).sort(), ids);

    const [stopped, killed, kept] = ids as [string, string, string];
    await fleet.kill(stopped, 'SIGTERM');
    assert.deepEqual(await list(), [killed, kept], 'a clean shutdown replaces the record with a signed tombstone');
    assert.ok(events.some((e) => e.event === 'shutdown' && e.identity === stopped));

    await fleet.kill(killed, 'SIGKILL');
    assert.deepEqual(await list(), [killed, kept], 'a dead node is still listed until its record expires');
    let now = await list();
    await until('the killed node to expire', async () => !(now = await list()).includes(killed), { timeoutMs: 30_000, everyMs: 250 });
    assert.deepEqual(now, [kept], 'the killed node expired');
    // The living node refreshes its record every second: four more refreshes span more than the 3 s TTL.
    const kv = await spy.jetstream().views.kv(registryBucket('cohort'));
    const revision = async () => (await kv.get(registryKey(kept)))?.revision ?? 0;
    const from = await revision();
    await until(`four more refreshes of ${kept}'s record`, async () => (await revision()) >= from + 4, { timeoutMs: 30_000, everyMs: 250 });
    assert.deepEqual(await list(), [kept], 'the living node keeps refreshing its record past the TTL');
  });
});
