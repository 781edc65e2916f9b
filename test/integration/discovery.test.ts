// Discovery against five real cohortd processes on a private nats-server:
// ping, find with every filter kind, facts and inventory through the real CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cohort, exampleFleet } from '../harness/index.js';

let env: Awaited<ReturnType<typeof exampleFleet>>;
let nats: string;

before(async () => {
  env = await exampleFleet();
  nats = env.nats.url;
});
after(async () => env?.stop());

async function find(...filter: string[]): Promise<string[]> {
  const r = await cohort(['find', ...filter], { nats });
  assert.equal(r.code, 0, `cohort find ${filter.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).sort();
}

describe('cohort ping', () => {
  test('every node answers with a time, followed by statistics', async () => {
    const r = await cohort(['ping'], { nats });
    assert.equal(r.code, 0, r.stderr);
    for (const id of ['cache1', 'db1', 'db2', 'web1', 'web2']) assert.match(r.stdout, new RegExp(`^${id}\\s+time=\\d+(\\.\\d+)? ?ms`, 'm'));
    assert.match(r.stdout, /ping statistics/);
    assert.match(r.stdout, /5 replies max: /);
  });
});

describe('cohort find with each filter kind', () => {
  test('no filter finds every node', async () => {
    assert.deepEqual(await find(), ['cache1', 'db1', 'db2', 'web1', 'web2']);
  });
  test('fact equality is case-insensitive and addresses nested facts', async () => {
    assert.deepEqual(await find('-F', 'os.family=debian'), ['db2', 'web1', 'web2']);
    assert.deepEqual(await find('--wf', 'country=DE'), ['db1', 'web1']);
  });
  test('numeric facts compare as numbers, not strings', async () => {
    assert.deepEqual(await find('-F', 'cpus>8'), ['cache1', 'db1']);
    assert.deepEqual(await find('-F', 'os.release>=12'), ['db2', 'web1']);
  });
  test('regex, != and array facts', async () => {
    assert.deepEqual(await find('-F', 'datacenter=/^fra/'), ['db1', 'web1']);
    assert.deepEqual(await find('-F', 'tags=frontend'), ['web1', 'web2']);
    assert.deepEqual(await find('-F', 'tags!=prod'), ['cache1', 'db2']);
    assert.deepEqual(await find('-F', 'role!=web', '-F', 'virtual=true'), ['db2']);
  });
  test('class filter: exact and regex', async () => {
    assert.deepEqual(await find('-C', 'mysql'), ['db1', 'db2']);
    assert.deepEqual(await find('--wc', '/^apa/'), ['web1', 'web2']);
  });
  test('identity filter: several are ORed, regex allowed', async () => {
    assert.deepEqual(await find('-I', 'web1', '-I', 'db2'), ['db2', 'web1']);
    assert.deepEqual(await find('--wi', '/^web/'), ['web1', 'web2']);
  });
  test('agent filter', async () => {
    assert.deepEqual(await find('-A', 'echo', '-F', 'role=cache'), ['cache1']);
  });
  test('-W mixes fact expressions and classes', async () => {
    assert.deepEqual(await find('-W', 'role=db mysql'), ['db1', 'db2']);
    assert.deepEqual(await find('-W', 'apache country=uk'), ['web2']);
  });
  test('-S compound expressions with precedence not > and > or', async () => {
    assert.deepEqual(await find('-S', '(role=web and country=de) or cpus>=16'), ['db1', 'web1']);
    assert.deepEqual(await find('-S', 'role=cache or role=db and country=uk'), ['cache1', 'db2']);
    assert.deepEqual(await find('-S', 'not os.family=debian and virtual=false'), ['cache1', 'db1']);
    assert.deepEqual(await find('-S', "fact('os.family')=redhat"), ['db1']);
    assert.deepEqual(await find('-S', '/^redis$/ or role!=web and country=de'), ['cache1', 'db1']);
  });
  test('several -S are ANDed with the other filters', async () => {
    assert.deepEqual(await find('-S', 'environment=production', '-S', 'not mysql', '-F', 'cpus<=4'), ['web1']);
  });
  test('a missing fact never matches, not even with !=', async () => {
    const r = await cohort(['find', '-F', 'no_such_fact!=x'], { nats });
    assert.equal(r.code, 3, `expected exit 3 (no node matched), got ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /no nodes? matched/i);
  });
  test('a syntax error is reported before anything is sent, pointing at the token', async () => {
    const r = await cohort(['find', '-S', 'role=web and and country=de'], { nats });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\^/);
  });
  test('--json lists identities', async () => {
    const r = await cohort(['find', '-F', 'role=web', '--json'], { nats });
    assert.equal(r.code, 0, r.stderr);
    const parsed: unknown = JSON.parse(r.stdout);
    const ids = Array.isArray(parsed) ? parsed : (parsed as { nodes?: unknown }).nodes;
    assert.deepEqual([...(ids as string[])].sort(), ['web1', 'web2']);
  });
});

describe('cohort facts and inventory', () => {
  test('facts reports value counts, -v lists nodes', async () => {
    const r = await cohort(['facts', 'os.family'], { nats });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Debian\s+found 3 times/i);
    assert.match(r.stdout, /RedHat\s+found 1 times?/i);
    const v = await cohort(['facts', 'role', '-v'], { nats });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /web1/);
    assert.match(v.stdout, /cache1/);
  });
  test('inventory shows agents, classes and nested facts', async () => {
    const r = await cohort(['inventory', 'db1'], { nats });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rpcutil/);
    assert.match(r.stdout, /echo/);
    assert.match(r.stdout, /mysql/);
    assert.match(r.stdout, /os\.family.*RedHat/);
  });
});
