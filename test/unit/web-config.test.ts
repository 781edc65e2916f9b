// The web console's files: web.yaml (every key, errors naming the key) and
// the users file (parsing, errors naming the user and key, writing 0600,
// useradd/passwd/userdel), grouping and the filter box.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWebConfig, parseListenAddress } from '../../packages/web/src/config.ts';
import { parseUsers, readUsers } from '../../packages/web/src/users.ts';
import { addUser, changeUser, deleteUser } from '../../packages/web/src/user-admin.ts';
import { verifyPassword } from '../../packages/web/src/password.ts';
import { groupNodes, parseWebFilter, FilterError, RegistrySource, type NodeSummary } from '../../packages/web/src/fleet.ts';
import type { Registry } from '@cohort/client';
import { storable, jobSummaries, type JobDetail } from '../../packages/web/src/jobs.ts';
import { createDdlSource } from '@cohort/client';

const hash = 'scrypt$10$8$1$c2FsdHNhbHRzYWx0c2FsdA==$' + Buffer.alloc(32, 1).toString('base64');

describe('web.yaml', () => {
  test('defaults beside the file', () => {
    const c = parseWebConfig('', '/etc/cohort/web.yaml');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.usersFile, '/etc/cohort/users.yaml');
    assert.equal(c.secretFile, '/etc/cohort/web.secret');
    assert.equal(c.sessionIdleMs, 8 * 3_600_000);
    assert.equal(c.requireSigning, true);
    assert.deepEqual(c.jobs, { bucket: 'cohort_web_jobs', keep: 500 });
  });
  test('every key read', () => {
    const c = parseWebConfig(
      ['listen: "[::1]:9443"', 'users_file: u.yaml', 'secret_file: /var/lib/cohort/s', 'session_idle: 30m', 'session_max: 12h', 'login_limit: { per_user: 3, per_address: 9, window: 5m }', 'require_signing: false', 'jobs: { bucket: web_jobs, keep: 20 }', 'graphite_url: http://graphite:8080/', 'nats_url_for_nodes: tls://nats.example:4222'].join('\n'),
      '/srv/web.yaml',
    );
    assert.equal(c.host, '::1');
    assert.equal(c.port, 9443);
    assert.equal(c.usersFile, '/srv/u.yaml');
    assert.equal(c.secretFile, '/var/lib/cohort/s');
    assert.equal(c.sessionIdleMs, 30 * 60_000);
    assert.deepEqual(c.loginLimit, { perUser: 3, perAddress: 9, windowMs: 5 * 60_000 });
    assert.equal(c.requireSigning, false);
    assert.deepEqual(c.jobs, { bucket: 'web_jobs', keep: 20 });
    assert.equal(c.graphiteUrl, 'http://graphite:8080');
    assert.equal(c.natsUrlForNodes, 'tls://nats.example:4222');
  });
  test('bad values and unknown keys name the key', () => {
    const cases: Array<[string, RegExp]> = [
      ['listen: 8080', /'listen' must be ADDRESS:PORT/],
      ['listen: 1.2.3.4:99999', /'listen'/],
      ['lisen: 127.0.0.1:80', /unknown key 'lisen' \(did you mean 'listen'\?\)/],
      ['tls: { cert: a.pem }', /'tls' needs both tls.cert and tls.key/],
      ['tls: { cert: /nonexistent/a.pem, key: /nonexistent/b.pem }', /'tls.cert' file \/nonexistent\/a.pem does not exist/],
      ['session_idle: soon', /'session_idle' must be a duration/],
      ['session_idle: 2d', /'session_idle' is longer than 'session_max'/],
      ['login_limit: { per_usr: 3 }', /unknown key 'login_limit.per_usr' \(did you mean 'login_limit.per_user'\?\)/],
      ['login_limit: { per_user: 0 }', /'login_limit.per_user' must be a whole number/],
      ['require_signing: yes please', /'require_signing' must be true or false/],
      ['jobs: { keep: -1 }', /'jobs.keep'/],
      ['jobs: { bucket: "a b" }', /'jobs.bucket'/],
      ['graphite_url: graphite:8080', /'graphite_url' must be an http/],
      ['client_config: /nonexistent/client.yaml', /'client_config' file \/nonexistent\/client.yaml does not exist/],
      ['- a list', /must be a mapping/],
      ['listen: [', /not valid YAML/],
    ];
    for (const [text, re] of cases) assert.throws(() => parseWebConfig(text, 'web.yaml'), re, text);
  });
  test('listen addresses', () => {
    assert.deepEqual(parseListenAddress('0.0.0.0:443'), { host: '0.0.0.0', port: 443 });
    assert.deepEqual(parseListenAddress('localhost:0'), { host: 'localhost', port: 0 });
    assert.ok('error' in parseListenAddress('::1:80'));
  });
});

describe('users file', () => {
  test('parses roles, keys relative to the file, allow-lists', () => {
    const users = parseUsers(
      `users:\n  alice:\n    role: admin\n    password: "${hash}"\n    key: keys/alice.key\n    allow: [rpcutil.*, nrpe.runcommand]\n  bob:\n    role: watcher\n    password: "${hash}"\n`,
      '/etc/cohort/users.yaml',
    );
    assert.deepEqual(users.get('alice'), { name: 'alice', role: 'admin', password: hash, key: '/etc/cohort/keys/alice.key', allow: ['rpcutil.*', 'nrpe.runcommand'] });
    assert.deepEqual(users.get('bob'), { name: 'bob', role: 'watcher', password: hash });
    assert.equal(parseUsers('', 'u.yaml').size, 0);
  });
  test('errors name the user and the key', () => {
    const cases: Array<[string, RegExp]> = [
      [`users:\n  alice:\n    role: root\n    password: "${hash}"\n`, /users.alice.role must be admin or watcher/],
      [`users:\n  alice:\n    role: admin\n`, /users.alice.password is missing/],
      [`users:\n  alice:\n    role: admin\n    password: hunter2\n`, /users.alice.password is not a scrypt hash/],
      [`users:\n  alice:\n    role: admin\n    password: "${hash}"\n    allow: [nrpe]\n`, /users.alice.allow: 'nrpe' is not agent.action or agent.\*/],
      [`users:\n  alice:\n    role: admin\n    password: "${hash}"\n    shell: /bin/sh\n`, /users.alice: unknown key 'shell'/],
      [`users:\n  "bad name":\n    role: admin\n    password: "${hash}"\n`, /user name 'bad name' is not valid/],
      [`people: {}\n`, /unknown key 'people'/],
    ];
    for (const [text, re] of cases) assert.throws(() => parseUsers(text, 'users.yaml'), re);
  });
  test('useradd, passwd, userdel edit the file (0600, hashes only)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-web-users-'));
    try {
      const file = join(dir, 'users.yaml');
      await addUser(file, 'alice', 'first-password', { role: 'admin', allow: ['rpcutil.*'] });
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.ok(!readFileSync(file, 'utf8').includes('first-password'));
      await assert.rejects(addUser(file, 'alice', 'x-password', { role: 'watcher' }), /already exists/);
      await assert.rejects(addUser(file, 'carol', 'x-password', { role: 'admin', key: join(dir, 'nokey.key') }), /--key .*nokey.key does not exist/);
      await assert.rejects(addUser(file, 'carol', 'x-password', { role: 'admin', allow: ['*'] }), /--allow: '\*' is not agent.action/);
      assert.ok(await verifyPassword('first-password', readUsers(file).get('alice')!.password));
      await changeUser(file, 'alice', 'second-password', { role: 'watcher', allowAll: true });
      const alice = readUsers(file).get('alice')!;
      assert.equal(alice.role, 'watcher');
      assert.equal(alice.allow, undefined);
      assert.ok(await verifyPassword('second-password', alice.password));
      assert.equal(await verifyPassword('first-password', alice.password), false);
      await assert.rejects(changeUser(file, 'nobody', 'x', {}), /no web user nobody/);
      deleteUser(file, 'alice');
      assert.equal(readUsers(file).size, 0);
      assert.throws(() => deleteUser(file, 'alice'), /no web user alice/);
      writeFileSync(file, 'users: [oops]\n');
      assert.throws(() => readUsers(file), /'users' must map user names/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fleet views', () => {
  const node = (identity: string, facts: Record<string, unknown>, classes: string[]): NodeSummary => ({ identity, version: '1', time: 0, facts, classes, agents: [], checks: {} });
  const nodes = [node('a', { role: 'web', os: { family: 'debian' } }, ['web', 'nginx']), node('b', { role: 'web' }, ['web']), node('c', { role: 'db', os: { family: 'redhat' } }, [])];
  test('grouping by a fact (dotted) or class, biggest first', () => {
    assert.deepEqual(groupNodes(nodes, 'fact:role'), [{ value: 'web', count: 2 }, { value: 'db', count: 1 }]);
    assert.deepEqual(groupNodes(nodes, 'fact:os.family'), [{ value: '(unset)', count: 1 }, { value: 'debian', count: 1 }, { value: 'redhat', count: 1 }]);
    assert.deepEqual(groupNodes(nodes, 'class'), [{ value: 'web', count: 2 }, { value: '(none)', count: 1 }, { value: 'nginx', count: 1 }]);
    assert.throws(() => groupNodes(nodes, 'facts'), FilterError);
  });
  test('a registry that could not be read is opened again later, a readable one kept', async () => {
    let now = 0;
    const answers: Array<string | undefined> = ['no bucket', 'no bucket', undefined];
    let opened = 0;
    const src = new RegistrySource(async () => ({ unavailable: answers[opened++] }) as unknown as Registry, 5000, () => now);
    assert.equal((await src.get()).unavailable, 'no bucket');
    now = 4000;
    assert.equal((await src.get()).unavailable, 'no bucket');
    assert.equal(opened, 1, 'not again within retryMs');
    now = 6000;
    await src.get();
    assert.equal(opened, 2);
    now = 12000;
    assert.equal((await src.get()).unavailable, undefined);
    now = 99_000;
    await src.get();
    assert.equal(opened, 3, 'a readable registry is kept (its watch keeps it current)');
  });
  test('the filter box is the CLI -W language; errors say so', () => {
    assert.deepEqual(parseWebFilter('role=web nginx').cf_class, ['nginx']);
    assert.equal(parseWebFilter('').fact.length, 0);
    assert.throws(() => parseWebFilter('role=~/[/'), FilterError);
  });
});

describe('job history values', () => {
  test('nrpe replies summarised with the DDL aggregate (Nagios counts)', () => {
    const ddl = createDdlSource().get('nrpe');
    const action = ddl.actions.find((a) => a.action === 'runcommand')!;
    const replies = [0, 1, 2, 2].map((exitcode, i) => ({ identity: `n${i}`, statuscode: exitcode === 0 ? 0 : 1, statusmsg: '', data: { exitcode, output: 'x', perfdata: '', command: 'check_x' }, ms: 1 }));
    const [s] = jobSummaries(action, replies);
    assert.equal(s?.function, 'nagios_states');
    assert.deepEqual(Object.fromEntries(s!.counts!), { OK: 1, WARNING: 1, CRITICAL: 2, UNKNOWN: 0 });
  });
  test('a job too big for one value has its biggest reply data cut, the rest kept', () => {
    const big = 'x'.repeat(600 * 1024);
    const detail: JobDetail = {
      job: { id: 'j', user: 'u', callerid: 'user=u', agent: 'a', action: 'b', inputs: {}, filter: '', started: 0, discovered: 3, ok: 3, failed: 0, noreply: 0 },
      replies: [
        { identity: 'n1', statuscode: 0, statusmsg: 'OK', data: { out: big }, ms: 1 },
        { identity: 'n2', statuscode: 0, statusmsg: 'OK', data: { out: big }, ms: 1 },
        { identity: 'n3', statuscode: 0, statusmsg: 'OK', data: { out: 'small' }, ms: 1 },
      ],
      noreply: [],
      summary: [],
      targets: ['n1', 'n2', 'n3'],
    };
    const s = storable(detail);
    assert.ok(JSON.stringify(s).length <= 900 * 1024);
    assert.deepEqual(s.replies[2]!.data, { out: 'small' });
    assert.equal(s.replies.filter((r) => 'truncated' in (r.data as object)).length, 1);
    assert.equal(detail.replies[0]!.data, detail.replies[0]!.data);
  });
});
