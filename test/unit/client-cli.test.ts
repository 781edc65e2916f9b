// The `cohort` CLI run in-process (main with captured output and an in-memory
// bus): exit codes, refusals before sending, and output per command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, memoryIo } from '@cohort/cli';
import { FakeBus, type FakeNode } from './client-fakes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fleet: FakeNode[] = [
  { identity: 'web1', facts: { role: 'web', os: 'Debian', cpus: 4 }, classes: ['apache'] },
  { identity: 'web2', facts: { role: 'web', os: 'Debian', cpus: 8 }, classes: ['apache'] },
  { identity: 'db1', facts: { role: 'db', os: 'RedHat', cpus: 16 }, classes: ['mysql'], status: 0 },
];

async function cli(args: string[], options: { nodes?: FakeNode[]; stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const bus = new FakeBus(options.nodes ?? fleet);
  let connected = false;
  const io = memoryIo({
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    env: options.env ?? {},
    connect: async () => {
      connected = true;
      return bus;
    },
  });
  const fleetCommand = ['rpc', 'ping', 'find', 'facts', 'inventory'].includes(args[0] ?? '');
  const code = await main(fleetCommand ? [...args, '--dt', '1', '--discovery-window', '50'] : args, io, '9.9.9');
  return { code, out: io.out(), err: io.err(), bus, connected };
}

test('rpc: replies per display policy, summary, footer, exit 0', async () => {
  const r = await cli(['rpc', 'rpcutil', 'get_fact', 'fact=os']);
  assert.equal(r.code, 0, r.err);
  for (const id of ['web1', 'web2', 'db1']) assert.match(r.out, new RegExp(`^${id} +OK$`, 'm'));
  assert.match(r.out, /^ +Value: Debian$/m);
  assert.match(r.out, /Summary of Value:\n\n\s+Debian = 2\n\s+RedHat = 1/);
  assert.match(r.out, /^Finished processing 3 \/ 3 hosts in \d+ ms$/m);
  assert.equal(r.err, '');
});

test('rpc --display failed hides OK replies; a failed node makes exit 1', async () => {
  const nodes: FakeNode[] = [{ identity: 'a' }, { identity: 'b', status: 1 }];
  const r = await cli(['rpc', 'rpcutil', 'ping', '--display', 'failed'], { nodes });
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.out, /^a +OK/m);
  assert.match(r.out, /^b +Request Aborted\n {3}failed on purpose/m);
});

test('rpc: silent nodes are listed and exit 1', async () => {
  const nodes: FakeNode[] = [{ identity: 'a' }, { identity: 'b', silent: true }];
  const r = await cli(['rpc', 'rpcutil', 'ping', '-t', '0.3'], { nodes });
  assert.equal(r.code, 1);
  assert.match(r.out, /Finished processing 1 \/ 2 hosts/);
  assert.match(r.out, /No response from:\n\n\s+b/);
});

test('rpc --json prints one document with replies, stats and summaries', async () => {
  const r = await cli(['rpc', 'rpcutil', 'get_fact', 'fact=role', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 1, 'one line when stdout is not a terminal');
  const doc = JSON.parse(r.out) as { agent: string; action: string; replies: Array<{ sender: string; data: Record<string, unknown> }>; stats: Record<string, unknown>; summaries: unknown[] };
  assert.equal(doc.agent, 'rpcutil');
  assert.equal(doc.action, 'get_fact');
  assert.deepEqual(doc.replies.map((x) => x.sender).sort(), ['db1', 'web1', 'web2']);
  assert.equal(doc.stats['responded'], 3);
  assert.equal(doc.summaries.length, 1);
});

test('rpc --nodes - reads the JSON of a previous run from stdin and skips discovery', async () => {
  const first = await cli(['rpc', 'rpcutil', 'ping', '-F', 'role=db', '--json'], { nodes: [{ identity: 'db1', facts: { role: 'db' } }, { identity: 'db2', facts: { role: 'db' } }, { identity: 'web1', facts: { role: 'web' } }] });
  assert.deepEqual((JSON.parse(first.out) as { replies: Array<{ sender: string }> }).replies.map((x) => x.sender).sort(), ['db1', 'db2']);
  const r = await cli(['rpc', 'rpcutil', 'ping', '--nodes', '-', '--json'], { stdin: first.out });
  assert.equal(r.code, 1, 'db2 is not in this fleet, so it does not answer');
  assert.ok(r.bus.published.every((p) => p.subject.startsWith('cohort.node.')));
  assert.deepEqual(r.bus.published.map((p) => p.subject).sort(), ['cohort.node.db1', 'cohort.node.db2']);
});

test('invalid input, unknown action or agent, bad filter, bad flags: exit 2 and nothing sent', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['rpc', 'rpcutil', 'get_fact'], /'fact'.*fact to retrieve/i],
    [['rpc', 'rpcutil', 'get_fact', 'fact'], /key=value/],
    [['rpc', 'rpcutil', 'nosuch'], /nosuch[\s\S]*get_fact/],
    [['rpc', 'rpcutil', 'ping', '--limit', '0'], /--limit/],
    [['rpc', 'rpcutil', 'ping', '--batch', 'x%'], /--batch/],
    [['rpc', 'rpcutil', 'ping', '-t', 'soon'], /--timeout/],
    [['find', '-S', 'role=web and and x=1'], /and and x=1\n\s+\^+/],
    [['find', '--bogus'], /Unknown argument: --bogus\n/],
    [['rpc'], /give the agent and action to call, e.g. cohort rpc rpcutil ping \(or --retry JOBID/],
    [['rpc', 'rpcutil'], /give the agent and action to call/],
    [['frobnicate'], /Unknown arguments?: frobnicate/],
    [['find', '--nodes', '/nonexistent/file'], /--nodes file/],
  ];
  for (const [args, pattern] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.err}`);
    assert.match(r.err, pattern, args.join(' '));
    assert.equal(r.connected, false, `${args.join(' ')} must not connect`);
    assert.equal(r.bus.published.length, 0);
  }
});

test('an agent without a local DDL: the plugin store is asked (here: none), nothing is sent, exit 2', async () => {
  const r = await cli(['rpc', 'nosuchagent', 'ping']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /no DDL found for agent 'nosuchagent': looked for[\s\S]*no pushed plugin provides it either/);
  assert.equal(r.bus.published.length, 0);
});

test('config: unknown keys exit 2 naming key and file; collective and servers are used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-cfg-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'colective: x\n');
  const r = await cli(['find', '--config', bad]);
  assert.equal(r.code, 2);
  assert.match(r.err, /colective/);
  assert.ok(r.err.includes(bad));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'collective: dc1\n');
  const g = await cli(['find', '-I', 'web1'], { env: { COHORT_CONFIG: good } });
  assert.equal(g.bus.published[0]!.subject, 'dc1.broadcast.agent.rpcutil');
  const t = await cli(['find', '-T', 'dc2', '--config', good]);
  assert.equal(t.bus.published[0]!.subject, 'dc2.broadcast.agent.rpcutil', '-T wins over the config file');
});

test("config layers: file < environment < flags, each refused in cohortd's words naming its source", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-cfg-'));
  const typo = join(dir, 'typo.yaml');
  writeFileSync(typo, 'kv: { histroy: 3 }\n');
  const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
    [['find', '--config', typo], {}, `cohort: config ${typo}: unknown key 'kv.histroy' (did you mean 'kv.history'?)\n`],
    [['find', '-T', 'bad!'], {}, `cohort: command line: key 'collective' must be a collective name (letters, digits, _ and -) (got "bad!")\n`],
    [['find', '--dt', 'soon'], {}, `cohort: command line: key 'discovery_timeout' must be seconds or a duration like 1500ms (got "soon")\n`],
    [['find'], { COHORT_NATS: 'http://x/y' }, `cohort: environment COHORT_NATS: key 'nats.servers' must be a list of URLs (nats://host:port) (got ["http://x/y"])\n`],
  ];
  for (const [args, env, message] of cases) {
    const bus = new FakeBus(fleet);
    const io = memoryIo({ env, connect: async () => bus });
    assert.equal(await main(args, io, '9.9.9'), 2, args.join(' '));
    assert.equal(io.err(), message);
    assert.equal(bus.published.length, 0);
  }
  // Valid layers merge: the file's collective and servers, the environment's servers over them, -T over the file.
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'collective: file\nnats: nats://file:4222\n');
  for (const [flags, collective] of [[[], 'file'], [['-T', 'flag'], 'flag']] as const) {
    const servers: string[][] = [];
    const bus = new FakeBus(fleet);
    const io = memoryIo({ env: { COHORT_CONFIG: good, COHORT_NATS: 'nats://env:4222' }, connect: async (s) => (servers.push([...s]), bus) });
    assert.equal(await main(['find', '-I', 'web1', ...flags], io, '9.9.9'), 0, io.err());
    assert.deepEqual(servers, [['nats://env:4222']]);
    assert.equal(bus.published[0]?.subject, `${collective}.broadcast.agent.rpcutil`);
  }
});

test('find: sorted identities; no match exits 3 with a message; --json is an array', async () => {
  const r = await cli(['find']);
  assert.equal(r.code, 0);
  assert.equal(r.out, 'db1\nweb1\nweb2\n');
  const none = await cli(['find', '-I', 'nobody'], { nodes: fleet });
  assert.equal(none.code, 3);
  assert.equal(none.out, '');
  assert.match(none.err, /No nodes matched the filter/);
  const json = await cli(['find', '--json']);
  assert.deepEqual(JSON.parse(json.out), ['db1', 'web1', 'web2']);
});

test('ping: a time per node, then statistics', async () => {
  const r = await cli(['ping']);
  assert.equal(r.code, 0);
  for (const id of ['web1', 'web2', 'db1']) assert.match(r.out, new RegExp(`^${id} +time=\\d+\\.\\d\\d ms$`, 'm'));
  assert.match(r.out, /\n---- ping statistics ----\n3 replies max: \d+\.\d\d min: \d+\.\d\d avg: \d+\.\d\d\n$/);
  const json = JSON.parse((await cli(['ping', '--json'])).out) as { replies: Array<{ sender: string; time_ms: number }>; stats: { responded: number } };
  assert.equal(json.stats.responded, 3);
  assert.equal(json.replies.length, 3);
});

test('facts: counts per value; -v lists nodes', async () => {
  const r = await cli(['facts', 'os']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Report for fact: os$/m);
  assert.match(r.out, /Debian\s+found 2 times/);
  assert.match(r.out, /RedHat\s+found 1 times/);
  assert.doesNotMatch(r.out, /web1/);
  assert.match((await cli(['facts', 'os', '-v'])).out, /web1\s+web2/);
});

test('inventory: one node addressed directly', async () => {
  const r = await cli(['inventory', 'db1']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Inventory for db1:/);
  assert.match(r.out, /role => db/);
  assert.deepEqual(r.bus.published.map((p) => p.subject), ['cohort.node.db1']);
  const missing = await cli(['inventory', 'nobody', '-t', '0.2']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /No response from nobody/);
});

test('plugin doc and ddl types need no bus', async () => {
  const doc = await cli(['plugin', 'doc', 'rpcutil']);
  assert.equal(doc.code, 0, doc.err);
  assert.match(doc.out, /get_fact action:/);
  assert.match(doc.out, /Usage: cohort rpc rpcutil get_fact fact=<string>/);
  assert.equal(doc.connected, false);
  const types = await cli(['ddl', 'types', join(root, 'ddl/rpcutil.json')]);
  assert.equal(types.code, 0, types.err);
  assert.match(types.out, /export type RpcutilActions/);
  const missing = await cli(['ddl', 'types', '/nonexistent.json']);
  assert.equal(missing.code, 2);
});

test('the bin answers --version without loading the CLI', () => {
  const out = execFileSync(process.execPath, [join(root, 'packages/cli/bin/cohort.cjs'), '--version'], { encoding: 'utf8' });
  const pkg = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string };
  assert.equal(out.trim(), pkg.version);
});

test('filters reach the nodes: -F, -C, -W and -S each select exactly the matching nodes', async () => {
  const cases: Array<[string[], string[]]> = [
    [['-F', 'role=web'], ['web1', 'web2']],
    [['-F', 'cpus>=8'], ['db1', 'web2']],
    [['-C', 'mysql'], ['db1']],
    [['-W', 'apache cpus<8'], ['web1']],
    [['-S', 'role=db or cpus=4'], ['db1', 'web1']],
    [['-F', 'role=web', '-C', 'mysql'], []],
  ];
  for (const [filter, expected] of cases) {
    const r = await cli(['find', ...filter, '--dm', 'broadcast']);
    assert.equal(r.code, expected.length === 0 ? 3 : 0, `${filter.join(' ')}: ${r.err}`);
    assert.deepEqual(r.out.split('\n').filter(Boolean), expected, filter.join(' '));
  }
});
