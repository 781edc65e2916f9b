// Everything built since examples/secure was written, under its
// least-privilege NATS permissions, driven through the CLI as a user would:
// the admin's `cohort bus init` creates every stream and bucket of core's
// layout (a second run keeps them all); nodes (user cohortd, no stream
// administration) write their mine values, which the operator reads with
// `cohort mine get`; the operator pushes a plugin (`cohort plugin push`) that
// the nodes install and serve, and `cohort rpc` then finds its DDL in the
// plugin store (no --ddl-dir); `cohort kv put/get` works for the operator.
// And what the permissions refuse: nodes may not write fleet-wide mine
// definitions, the operator may not write mine values; nodes share one NATS
// user, so a node writing another's mine key is caught by the readers
// (signature bound to the identity), not by the server.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import {
  collectiveBuckets,
  checkEventsStream,
  jobStreamName,
  loadSigner,
  mineDefinitionsBucket,
  mineBucket,
  mineKey,
  MineKind,
  sealDataBytes,
  type MineValue,
} from '@cohort/core';
import { cohort, repoRoot, until, type CliResult } from '../harness/index.js';
import { describe, test } from '../harness/skip.js';
import { missingOpenssl, startSecureFleet, type SecureFleet } from './security-fleet.js';

const skip = missingOpenssl();
const helloPlugin = join(repoRoot, 'examples/plugins/hello');

interface InitJson {
  items: Array<{ kind: string; name: string; what: string; status: string }>;
}

interface MineGetJson {
  values: Array<{ identity: string; state: string; statusmsg: string; data?: Record<string, unknown> }>;
}

describe('buckets of the mine, the key-value store and plugins with the least-privilege permissions of examples/secure', { skip }, () => {
  let env: SecureFleet;
  const identities = ['s1', 's2'];
  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => cohort([...args, '--connect-timeout', '30'], { env: { ...env.env, ...extra }, timeoutMs: 120_000 });
  const logs = () => identities.map((id) => `--- ${id}\n${env.fleet.nodes.get(id)?.log().slice(-3000) ?? ''}`).join('\n');
  const mineGet = async (args: string[]): Promise<MineGetJson> => {
    const r = await run(['mine', 'get', ...args, '--json']);
    return JSON.parse(r.stdout || '{"values":[]}') as MineGetJson;
  };
  /** Does a JetStream key-value put by `nc` on `bucket` fail with a permissions violation? */
  const refused = async (nc: NatsConnection, bucket: string, key: string): Promise<boolean> => {
    try {
      await nc.jetstream({ timeout: 5000 }).publish(`$KV.${bucket}.${key}`, new TextEncoder().encode('x'));
      return false;
    } catch (err) {
      return /permissions violation/i.test(String(err));
    }
  };

  /** `identity version` of every node answering hello greet, sorted. */
  const served = async (): Promise<string[]> => {
    const r = await run(['rpc', 'hello', 'greet', 'name=world', '--ddl-dir', helloPlugin, '--json']);
    if (r.code !== 0 && r.code !== 1) return [];
    const replies = (JSON.parse(r.stdout || '{"replies":[]}') as { replies: Array<{ sender: string; statuscode: number; data: { greeting?: string; version?: string } }> }).replies;
    return replies.filter((x) => x.statuscode === 0 && x.data.greeting === 'hello world').map((x) => `${x.sender} ${x.data.version ?? '?'}`).sort();
  };

  before(async () => {
    if (skip) return;
    env = await startSecureFleet(
      identities.map((identity, i) => ({ identity, role: i === 0 ? 'web' : 'db' })),
      {
        policies: {
          'plugin.policy': 'policy default deny\nallow\tuser=operator\tpush\t*\t*\n',
          'hello.policy': 'policy default deny\nallow\tuser=operator\t*\t*\t*\n',
        },
        config: {
          plugin_sync: true,
          mine: { role: { agent: 'rpcutil', action: 'get_fact', inputs: { fact: 'role' }, interval: '3s' } },
        },
      },
    );
  });

  after(async () => {
    await env?.stop();
  });

  test('bus init creates every stream and bucket of the collective; a second run keeps them all', async () => {
    const expected = [...collectiveBuckets('cohort', { registryTtlSeconds: 180, kv: { history: 10, replicas: 1 } }).map((b) => b.name), jobStreamName('cohort'), checkEventsStream('cohort')];
    const first = JSON.parse(env.busInit?.stdout ?? '{}') as InitJson;
    assert.deepEqual(first.items.map((i) => i.name).sort(), [...expected].sort());
    assert.deepEqual(first.items.filter((i) => i.status !== 'created'), [], 'everything is new on a fresh server');
    for (const name of [mineBucket('cohort'), mineDefinitionsBucket('cohort'), 'cohort_kv_cohort', 'cohort_plugins_cohort', 'cohort_web_jobs']) assert.ok(expected.includes(name), name);
    const again = await cohort(['bus', 'init', '--json'], { env: { COHORT_CONFIG: join(env.dir, 'admin.yaml'), COHORT_NATS: env.nats.url } });
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as InitJson & { registry: { created: boolean }; checks: { created: string[] } };
    assert.deepEqual(second.items.filter((i) => i.status !== 'kept'), []);
    assert.equal(second.registry.created, false, 'the old shape is still there');
    assert.deepEqual(second.checks.created, []);
    const text = await cohort(['bus', 'init'], { env: { COHORT_CONFIG: join(env.dir, 'admin.yaml'), COHORT_NATS: env.nats.url } });
    assert.match(text.stdout, /^mine values bucket cohort_mine_cohort: already there, kept$/m);
    assert.match(text.stdout, /^plugin packs object store cohort_plugins_cohort: already there, kept$/m);
  });

  test("nodes write their mine values; the operator reads them with cohort mine get", async () => {
    await until('both nodes mined role', async () => (await mineGet(['role'])).values.filter((v) => v.state === 'fresh').length === 2, { timeoutMs: 60_000, everyMs: 500, log: logs });
    const { values } = await mineGet(['role']);
    assert.deepEqual(values.map((v) => [v.identity, v.data?.['value']]), [['s1', 'web'], ['s2', 'db']]);
    for (const id of identities) assert.doesNotMatch(env.fleet.nodes.get(id)?.log() ?? '', /mine: cannot write|permissions violation/i);
  });

  test('the operator pushes a plugin; the nodes install and serve it', async () => {
    const pushed = await run(['plugin', 'push', helloPlugin]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /pushed hello 1\.0\.0/);
    await until('both nodes serve hello 1.0.0', async () => (await served()).join() === 's1 1.0.0,s2 1.0.0', { timeoutMs: 60_000, everyMs: 1000, log: logs });
    const ls = await run(['plugin', 'ls', '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    const row = (JSON.parse(ls.stdout) as Array<{ name: string; desired?: string; nodes: Array<{ identity: string; running?: { version: string } }> }>).find((x) => x.name === 'hello');
    assert.equal(row?.desired, '1.0.0');
    assert.deepEqual(row?.nodes.map((n) => [n.identity, n.running?.version]).sort(), [['s1', '1.0.0'], ['s2', '1.0.0']]);
  });

  test('cohort rpc finds the DDL of an agent that exists only as a pushed plugin (verified, from the bus)', async () => {
    const r = await run(['rpc', 'hello', 'greet', 'name=bus', '--json', '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /DDL of hello from pushed plugin hello 1\.0\.0 \(signed by user=operator\)/);
    const replies = (JSON.parse(r.stdout) as { replies: Array<{ sender: string; data: { greeting: string } }> }).replies;
    assert.deepEqual(replies.map((x) => [x.sender, x.data.greeting]).sort(), [['s1', 'hello bus'], ['s2', 'hello bus']]);
    const invalid = await run(['rpc', 'hello', 'greet', 'name=not valid!']);
    assert.equal(invalid.code, 2, 'inputs are checked against the pushed DDL before anything is sent');
    const none = await run(['rpc', 'nosuch', 'act']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no DDL found for agent 'nosuch'.*no pushed plugin of collective cohort provides it either/);
  });

  test('a staged rollout (--batch 1): the nodes take and give back rollout slots', async () => {
    const v2 = join(env.dir, 'hello-2.0.0');
    cpSync(helloPlugin, v2, { recursive: true });
    writeFileSync(join(v2, 'plugin.yaml'), readFileSync(join(helloPlugin, 'plugin.yaml'), 'utf8').replace(/^version: .*$/m, 'version: 2.0.0'));
    const pushed = await run(['plugin', 'push', v2, '--batch', '1', '--settle', '1']);
    assert.equal(pushed.code, 0, pushed.stderr);
    await until('both nodes serve hello 2.0.0', async () => (await served()).join() === 's1 2.0.0,s2 2.0.0', { timeoutMs: 90_000, everyMs: 1000, log: logs });
  });

  test('the operator defines a fleet-wide mine function; the matching node mines it', async () => {
    const define = await run(['mine', 'define', 'dbrole', '--agent', 'rpcutil', '--action', 'get_fact', 'fact=role', '--interval', '3s', '-F', 'role=db']);
    assert.equal(define.code, 0, define.stderr);
    await until('s2 mines dbrole', async () => (await mineGet(['dbrole'])).values.some((v) => v.identity === 's2' && v.state === 'fresh'), { timeoutMs: 60_000, everyMs: 500, log: logs });
    const ls = await run(['mine', 'ls', '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal((JSON.parse(ls.stdout) as Array<{ function: string; nodes: number }>).find((r) => r.function === 'dbrole')?.nodes, 1);
    assert.equal((await run(['mine', 'undefine', 'dbrole'])).code, 0);
  });

  test('cohort kv put, get, ls and history work for the operator', async () => {
    for (const value of ['512', '1024']) {
      const put = await run(['kv', 'put', 'app.maxconn', value]);
      assert.equal(put.code, 0, put.stderr);
    }
    const get = await run(['kv', 'get', 'app.maxconn']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout.trim(), '1024');
    const ls = await run(['kv', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^app\.maxconn$/m);
    const history = await run(['kv', 'history', 'app.maxconn', '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.equal((JSON.parse(history.stdout) as unknown[]).length, 2);
  });

  test('nodes may not define mine functions, the operator may not write mine values; a node forging another node\'s value is refused by readers', async () => {
    const node = await env.nodeBus();
    const operator = await env.operatorBus();
    try {
      assert.ok(await refused(node, mineDefinitionsBucket('cohort'), 'planted'), 'a node writing a fleet-wide mine definition');
      assert.ok(await refused(operator, mineBucket('cohort'), mineKey('role', 's1')), 'the operator writing a mine value');
      // Both nodes connect as cohortd, so the server cannot tell s2 from s1: s2 signs a value for s1's key.
      const s2 = loadSigner({ kind: 'node', keyFile: join(env.fleet.nodes.get('s2')!.configFile, '..', 'node.key') });
      const forged: MineValue = { function: 'forged', identity: 's1', time: Date.now(), interval: 3600, duration_ms: 1, statuscode: 0, statusmsg: 'OK', source: 'config', data: { value: 'evil' } };
      await node.jetstream({ timeout: 5000 }).publish(`$KV.${mineBucket('cohort')}.${mineKey('forged', 's1')}`, sealDataBytes(MineKind.Value, forged, s2));
    } finally {
      await node.close();
      await operator.close();
    }
    const { values } = await mineGet(['forged', '-I', 's1']);
    assert.equal(values[0]?.state, 'refused', JSON.stringify(values));
    assert.equal(values[0]?.data, undefined);
  });

  test('the server refused the nodes nothing (their permissions cover everything they do)', () => {
    for (const id of identities) assert.doesNotMatch(env.fleet.nodes.get(id)?.log() ?? '', /PERMISSIONS_VIOLATION|permissions violation/i, id);
  });
});
