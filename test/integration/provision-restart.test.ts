// provision configure + restart on a real cohortd in provisioning mode: the
// daemon restarts in the same process, re-reading its config file. Into a
// config that cannot reach NATS, or that loads but cannot start, it falls
// back to the bootstrap config (restored, the refused one kept as .failed,
// the lock kept, nothing left answering in production); into a good one it
// answers in the production collective with the full agent set and
// cohort.provisioned=true.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { cohort, until } from '../harness/index.js';
import { provisionNodeFixture } from './provision-node.js';

const token = 's3cret';
const f = provisionNodeFixture(token);

const call = (...args: Parameters<typeof f.client.call>) => f.client.call(...args);
const ok = (...args: Parameters<typeof f.client.ok>) => f.client.ok(...args);
const daemonStats = (collective: string) => f.client.daemonStats(collective);

describe('provision restart', () => {
  test('a restart into a config that cannot reach NATS falls back to the bootstrap config, lock kept', async () => {
    const bootstrap = readFileSync(f.node.configFile, 'utf8');
    await ok('lock', { owner: 'prov-a' });
    const before = await daemonStats('provisioning');
    const unreachable = yaml.dump({ identity: f.node.identity, collectives: ['production'], nats: { servers: ['nats://127.0.0.1:1'] }, security: { mode: 'unsigned' } });
    const written = await ok('configure', { config: unreachable });
    assert.deepEqual(written, { written: true, changed: true, config_file: f.node.configFile });
    assert.equal(readFileSync(`${f.node.configFile}.bootstrap`, 'utf8'), bootstrap);
    assert.equal((await ok('restart', { splay: 0 }))['restarting'], true);
    await until('the fallback to be logged', () => f.node.log().includes('restored the bootstrap configuration'), { timeoutMs: 30_000, everyMs: 100, log: () => f.node.log(), logName: 'cohortd log' });
    assert.match(f.node.log(), /cannot reach NATS/);
    await f.node.ready('provisioning');
    const after = await daemonStats('provisioning');
    assert.equal(after.pid, before.pid, 'same process');
    assert.equal(readFileSync(f.node.configFile, 'utf8'), bootstrap, 'bootstrap config restored');
    assert.equal(readFileSync(`${f.node.configFile}.failed`, 'utf8'), unreachable);
    assert.equal((await ok('status'))['lock_owner'], 'prov-a', 'the lock survived the restart');
  });

  test('a restart into a config that loads but cannot start falls back too, leaving nothing behind in production', async () => {
    const bootstrap = readFileSync(f.node.configFile, 'utf8');
    const pid = (await daemonStats('provisioning')).pid;
    const base = { identity: f.node.identity, collectives: ['production'], nats: { servers: [f.nats.url] }, security: { mode: 'unsigned' } };
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a missing facts file', { facts: [join(f.node.dir, 'missing-facts.yaml')] }, /missing-facts\.yaml/],
      ['registration ttl under its interval (refused after connecting)', { registration: { interval: 60, ttl: 30 } }, /registration\.ttl/],
    ];
    for (const [what, extra, why] of cases) {
      const broken = yaml.dump({ ...base, ...extra });
      await ok('configure', { config: broken });
      const logged = f.node.log().length;
      await ok('restart', { splay: 0 });
      await until(`${what}: the fallback to be logged`, () => f.node.log().slice(logged).includes('restored the bootstrap configuration'), { timeoutMs: 30_000, everyMs: 100, log: () => f.node.log(), logName: 'cohortd log' });
      assert.match(f.node.log().slice(logged), /restart: cannot start with the new configuration: /, what);
      assert.match(f.node.log().slice(logged), why, what);
      await f.node.ready('provisioning');
      assert.equal((await daemonStats('provisioning')).pid, pid, what);
      assert.equal(readFileSync(f.node.configFile, 'utf8'), bootstrap, what);
      assert.equal(readFileSync(`${f.node.configFile}.failed`, 'utf8'), broken, what);
      const production = await cohort(['rpc', 'rpcutil', 'ping', '-T', 'production', '-I', f.node.identity, '--json', '--dt', '1'], { nats: f.nats.url, timeoutMs: 30_000, env: f.node.env });
      assert.equal(production.code, 1, `${what}: nothing answers in production`);
    }
  });

  test('configure + restart: the same process answers in production with the full agent set, provisioned', async () => {
    const before = await daemonStats('provisioning');
    const final = yaml.dump({ identity: f.node.identity, collectives: ['production', 'europe'], nats: { servers: [f.nats.url] }, security: { mode: 'unsigned' }, logging: { level: 'info' } });
    assert.equal((await ok('configure', { config: final }))['changed'], true);
    assert.equal((await ok('configure', { config: final }))['changed'], false, 'idempotent');
    await ok('restart', { splay: 1 });
    await f.node.ready('production');
    const inventory = await call('rpcutil', 'inventory', {}, 'production');
    assert.equal(inventory.statuscode, 0, inventory.statusmsg);
    const agents = inventory.data['agents'] as string[];
    assert.ok(agents.includes('rpcutil') && !agents.includes('provision'), `agents: ${agents.join(', ')}`);
    assert.deepEqual(inventory.data['collectives'], ['production', 'europe']);
    assert.deepEqual((inventory.data['facts'] as Record<string, unknown>)['cohort'], { provisioned: true });
    const after = await daemonStats('production');
    assert.equal(after.pid, before.pid, 'restarted in the same process');
    const ping = await cohort(['ping', '-T', 'production'], { nats: f.nats.url, env: f.node.env });
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, new RegExp(f.node.identity));
    const gone = await cohort(['rpc', 'rpcutil', 'ping', '-T', 'provisioning', '-I', f.node.identity, '--json', '--dt', '1'], { nats: f.nats.url, timeoutMs: 30_000, env: f.node.env });
    assert.equal(gone.code, 1, 'no longer in the provisioning collective');
    assert.match(f.node.log(), /restarting: provision restart requested by/);
  });
});
