// External agents (docs/external-agents.md) on real cohortd processes: the
// example Python (textstat) and POSIX sh (sysinfo) agents answer `cohort rpc`
// with inputs validated by the client and by the node and outputs checked
// against the DDL; an agent that declines activation is reported unloaded; a
// hanging agent is stopped at its DDL timeout; a crashing one and one writing
// an output of the wrong type get clear error replies; the nodes keep serving.
// In signed mode the agent sees the certified caller, and actionpolicy applies
// before the executable runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import yaml from 'js-yaml';
import { decodeReply, encode, nodeSubject, type ReplyMessage, type RequestMessage } from '@cohort/core';
import { cohort, expectedRpcExit, repoRoot, startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';
import { testRequest } from '../harness/messages.js';

interface Reply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}

const examples = join(repoRoot, 'examples/agents/external');
const dir = mkdtempSync(join(tmpdir(), 'cohort-ext-it-'));
const agentsDir = join(dir, 'agents');
const pidFile = join(dir, 'hang.pids');
const identities = ['ext1', 'ext2'];
const canary = 'COHORT_TEST_DAEMON_ONLY';

let nats: NatsServer;
let fleet: Fleet;
let nc: NatsConnection;
let clientConfig: string;

const ddl = (name: string, timeout: number, output: Record<string, unknown>) => ({
  metadata: { name, description: `test agent ${name}`, author: 'tests', license: 'Apache-2.0', version: '1.0.0', url: 'https://example.com', timeout },
  actions: [{ action: 'run', description: 'run', display: 'always', input: {}, output }],
});

/** A test agent: DDL plus a POSIX sh executable whose rpc branch is `body`. */
function testAgent(name: string, body: string, options: { timeout?: number; activation?: string; output?: Record<string, unknown> } = {}): void {
  const output = options.output ?? { count: { description: 'c', display_as: 'Count', type: 'integer', default: 0 } };
  writeFileSync(join(agentsDir, `${name}.json`), JSON.stringify(ddl(name, options.timeout ?? 5, output)));
  const activation = options.activation ?? `printf '{"activate": true}' > "$2"`;
  writeFileSync(join(agentsDir, `${name}.sh`), `#!/bin/sh\nif [ "$3" = cohort.external.v1.activation_request ]; then\n${activation}\nexit 0\nfi\n${body}\n`);
  chmodSync(join(agentsDir, `${name}.sh`), 0o755);
}

before(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(agentsDir);
  // Ignores SIGTERM (and so does its sleep), so stopping it takes the SIGKILL after the grace period.
  testAgent('hang', `trap '' TERM\necho $$ >> ${pidFile}\nsleep 300`, { timeout: 2 });
  testAgent('crash', 'echo "database connection refused" >&2\nexit 3');
  testAgent('badout', `printf '{"statuscode": 0, "data": {"count": "seven"}}' > "$2"`);
  testAgent('declines', 'exit 0', { activation: `printf '{"activate": false, "reason": "no widget service on this node"}' > "$2"` });
  writeFileSync(join(agentsDir, 'lazy.json'), JSON.stringify(ddl('lazy', 5, {})));
  writeFileSync(join(agentsDir, 'lazy.sh'), '#!/bin/sh\nexit 0\n'); // no exec bit
  clientConfig = join(dir, 'client.yaml');
  writeFileSync(
    clientConfig,
    yaml.dump({ collective: 'cohort', ddl_dirs: [join(examples, 'textstat'), join(examples, 'sysinfo'), agentsDir], discovery_timeout: 2, discovery_window: 300 }),
  );
  nats = await startNatsServer();
  // In the daemons' environment (they inherit this process's), never in an agent's.
  process.env[canary] = 'daemon-only';
  fleet = await startFleet({
    natsUrl: nats.url,
    monitorPort: nats.monitorPort,
    nodes: identities.map((identity) => ({ identity, facts: { role: 'web', os: { family: 'Debian' } }, classes: [] })),
    pluginDirs: [examples, agentsDir],
    dir: join(dir, 'fleet'),
  });
  nc = await connect({ servers: nats.url });
});

after(async () => {
  await nc?.close();
  await fleet?.stop();
  await nats?.stop();
  for (const pid of existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean) : []) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const logs = () => [...fleet.nodes.values()].map((n) => `--- ${n.identity}\n${n.log()}`).join('\n');

async function rpc(args: string[]): Promise<{ replies: Reply[]; code: number; stderr: string }> {
  const r = await cohort(['rpc', ...args, '--json'], { nats: nats.url, env: { COHORT_CONFIG: clientConfig }, timeoutMs: 60_000 });
  assert.ok(r.code === 0 || r.code === 1, `cohort rpc ${args.join(' ')} exited ${r.code}: ${r.stderr}\n${logs().slice(-3000)}`);
  const out = JSON.parse(r.stdout) as { replies: Reply[]; stats: { discovered: number; responded: number; failed: number } };
  assert.equal(r.code, expectedRpcExit(out.stats), `exit code of cohort rpc ${args.join(' ')} for its replies`);
  return { replies: out.replies.sort((a, b) => a.sender.localeCompare(b.sender)), code: r.code, stderr: r.stderr };
}

/** Publish a hand-built (unvalidated by any client) request to one node and wait for its reply. */
async function raw(identity: string, fields: Partial<RequestMessage> & Pick<RequestMessage, 'agent' | 'action' | 'data'>): Promise<ReplyMessage> {
  const req = testRequest(fields);
  const replies: ReplyMessage[] = [];
  const sub = nc.subscribe(req.reply_to, { callback: (_e, m) => replies.push(decodeReply(m.data)) });
  await nc.flush();
  nc.publish(nodeSubject('cohort', identity), encode(req));
  await until(`a reply from ${identity} to ${fields.agent}#${fields.action}`, () => replies.length > 0, { timeoutMs: 20_000, log: logs });
  sub.unsubscribe();
  return replies[0]!;
}

describe('the example agents through the CLI', () => {
  test('Python: textstat count answers from every node with DDL-typed outputs', async () => {
    const { replies, code } = await rpc(['textstat', 'count', 'text=the quick brown fox jumps over the dog', 'pattern=o']);
    assert.equal(code, 0);
    assert.deepEqual(replies.map((r) => r.sender), identities);
    for (const r of replies) {
      assert.equal(r.statuscode, 0, r.statusmsg);
      assert.deepEqual(r.data, { words: 8, lines: 1, chars: 38, matches: 4 });
    }
    const noPattern = await rpc(['textstat', 'count', 'text=one two', '-I', 'ext1']);
    assert.deepEqual(noPattern.replies[0]?.data, { words: 2, lines: 1, chars: 7, matches: null }, 'an output the agent left out is its DDL default');
  });

  test('Python: the agent sees the contract (minimal environment, private 0600 files, facts, caller)', async () => {
    const { replies } = await rpc(['textstat', 'info', '-I', 'ext2']);
    const data = replies[0]?.data ?? {};
    assert.equal(replies[0]?.statuscode, 0, replies[0]?.statusmsg);
    assert.equal(data['protocol'], 'cohort.external.v1.rpc_request');
    // The contract's variables are there; nothing of the daemon's environment leaks (an interpreter launcher such
    // as a pyenv shim or a shell may add its own, like PWD; the exact set is checked in test/unit/external-agent.test.ts).
    const environment = data['environment'] as string[];
    for (const name of ['COHORT_EXTERNAL_CONFIG', 'COHORT_EXTERNAL_FACTS', 'COHORT_EXTERNAL_PROTOCOL', 'COHORT_EXTERNAL_REPLY', 'COHORT_EXTERNAL_REQUEST', 'PATH']) {
      assert.ok(environment.includes(name), `${name} in ${environment.join(' ')}`);
    }
    for (const name of [canary, 'HOME', 'USER', 'COHORTD_CONFIG']) assert.ok(!environment.includes(name), `${name} leaked: ${environment.join(' ')}`);
    assert.equal(data['request_mode'], '0o600');
    for (const fact of ['os', 'role']) assert.ok((data['fact_names'] as string[]).includes(fact), `fact ${fact} in ${JSON.stringify(data['fact_names'])}`);
    assert.match(String(data['caller']), /^\w+=/);
    assert.equal(existsSync(String(data['cwd'])), false, 'the private call directory is removed after the call');
  });

  test('POSIX sh: sysinfo echo and uptime, in text and JSON', async () => {
    const text = await cohort(['rpc', 'sysinfo', 'echo', 'message=hello from sh', '-I', 'ext1'], { nats: nats.url, env: { COHORT_CONFIG: clientConfig } });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ext1\b/m);
    assert.match(text.stdout, /Message: hello from sh/);
    const { replies } = await rpc(['sysinfo', 'uptime']);
    assert.deepEqual(replies.map((r) => r.sender), identities);
    for (const r of replies) {
      assert.equal(r.statuscode, 0, r.statusmsg);
      assert.ok(Number.isInteger(r.data['seconds']) && (r.data['seconds'] as number) > 0, JSON.stringify(r.data));
      assert.match(String(r.data['load1']), /^\d+\.\d+$/);
    }
  });
});

describe('inputs are validated against the DDL', () => {
  test('the client refuses a bad input before sending', async () => {
    const r = await cohort(['rpc', 'sysinfo', 'echo', 'message=quote " and ; semicolon'], { nats: nats.url, env: { COHORT_CONFIG: clientConfig } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /message/);
    const missing = await cohort(['rpc', 'textstat', 'count'], { nats: nats.url, env: { COHORT_CONFIG: clientConfig } });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /text/);
  });

  test('sent raw, the node refuses it before the executable runs', async () => {
    const bad = await raw('ext1', { agent: 'sysinfo', action: 'echo', data: { message: 'quote " breaks the sh agent' } });
    assert.equal(bad.statuscode, 4);
    assert.match(bad.statusmsg, /input 'message'/i);
    const missing = await raw('ext1', { agent: 'textstat', action: 'count', data: {} });
    assert.equal(missing.statuscode, 3);
    assert.match(missing.statusmsg, /missing required input .*text/);
    const wrongType = await raw('ext2', { agent: 'textstat', action: 'count', data: { text: 42 } });
    assert.equal(wrongType.statuscode, 4);
    const good = await raw('ext2', { agent: 'textstat', action: 'count', data: { text: 'a b c' } });
    assert.equal(good.statuscode, 0, good.statusmsg);
    assert.equal(good.data['words'], 3);
  });
});

describe('failures', () => {
  test('an output of the wrong type is an error reply, not garbage', async () => {
    const { replies } = await rpc(['badout', 'run', '-I', 'ext1']);
    assert.equal(replies[0]?.statuscode, 5);
    assert.match(replies[0]?.statusmsg ?? '', /external agent badout#run \(badout\.sh\) wrote an invalid reply: output 'count' must be an integer \(DDL type integer\) but is "seven"/);
    assert.deepEqual(replies[0]?.data, { count: 0 }, 'only the DDL defaults');
  });

  test('a crash (exit 3, no reply file) is a clear error naming the exit code and stderr', async () => {
    const { replies } = await rpc(['crash', 'run', '-I', 'ext2']);
    assert.equal(replies[0]?.statuscode, 5);
    assert.equal(replies[0]?.statusmsg, 'external agent crash#run (crash.sh) exited with code 3 without writing a reply; stderr: database connection refused');
    await until('the crash logged by ext2 at error', () => /database connection refused/.test(fleet.nodes.get('ext2')!.log()), { timeoutMs: 10_000, log: logs });
  });

  test('a hanging agent is stopped at its DDL timeout (SIGTERM, then SIGKILL of its group); the node keeps serving', async () => {
    const { replies } = await rpc(['hang', 'run', '-I', 'ext1']);
    assert.equal(replies[0]?.statuscode, 1);
    assert.equal(replies[0]?.statusmsg, "action 'run' exceeded its 2 s timeout");
    const pids = readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
    assert.equal(pids.length, 1);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until('the hanging agent process to be gone', () => pids.every((p) => !alive(p)), { timeoutMs: 20_000, log: logs });
    await until('ext1 to log the stop', () => /hang#run \(hang\.sh\) was stopped \(SIGTERM, then SIGKILL\)/.test(fleet.nodes.get('ext1')!.log()), { timeoutMs: 20_000, log: logs });
    const after = await rpc(['textstat', 'count', 'text=still here', '-I', 'ext1']);
    assert.equal(after.replies[0]?.statuscode, 0);
    assert.equal(after.replies[0]?.data['words'], 2);
  });
});

describe('activation and loading', () => {
  test('an agent that declines activation, and a non-executable one, are not loaded; daemon_stats says why', async () => {
    const stats = (await rpc(['rpcutil', 'daemon_stats', '-I', 'ext1'])).replies[0]?.data ?? {};
    const unloaded = stats['unloaded_agents'] as Record<string, string>;
    assert.equal(unloaded['declines'], 'the agent declined to activate: no widget service on this node');
    assert.match(unloaded['lazy'] ?? '', /lazy\.sh: is not executable \(chmod \+x lazy\.sh\)/);
    const inventory = (await rpc(['rpcutil', 'agent_inventory', '-I', 'ext1'])).replies[0]?.data ?? {};
    const loaded = (inventory['agents'] as Array<{ agent: string }>).map((a) => a.agent);
    for (const name of ['textstat', 'sysinfo', 'hang', 'crash', 'badout']) assert.ok(loaded.includes(name), `${name} loaded: ${JSON.stringify(loaded)}`);
    assert.ok(!loaded.includes('declines') && !loaded.includes('lazy'), JSON.stringify(loaded));
    assert.match(fleet.nodes.get('ext1')!.log(), /lazy\.sh: is not executable/);
  });

  test('no private call directory is left behind', async () => {
    const leftovers = () => readdirSync(tmpdir()).filter((f) => /^cohort-(textstat|sysinfo|hang|crash|badout|declines)-/.test(f));
    await until('the call directories to be removed', () => leftovers().length === 0, { timeoutMs: 20_000, log: () => leftovers().join('\n') });
  });
});

describe('signed mode: the caller the agent sees is verified, and the policy applies first', () => {
  let secureNats: NatsServer;
  let secureFleet: Fleet;
  let secureClientConfig: string;

  before(async () => {
    secureNats = await startNatsServer();
    secureFleet = await startFleet({
      natsUrl: secureNats.url,
      monitorPort: secureNats.monitorPort,
      nodes: [{ identity: 'sec1', facts: { role: 'web' }, classes: [] }],
      pluginDirs: [examples],
      dir: join(dir, 'secure-fleet'),
      logLevel: 'info', // the agent's stdout is logged at info: shows whether the executable ran
      secure: {
        policies: {
          'rpcutil.policy': 'policy default allow\n',
          'textstat.policy': 'policy default deny\nallow\tuser=operator\tinfo\t*\t*\n',
        },
      },
    });
    secureClientConfig = join(dir, 'secure-client.yaml');
    writeFileSync(secureClientConfig, yaml.dump({ collective: 'cohort', ddl_dirs: [join(examples, 'textstat')], discovery_timeout: 2, discovery_window: 300 }));
  });
  after(async () => {
    await secureFleet?.stop();
    await secureNats?.stop();
  });

  async function signedRpc(args: string[]): Promise<Reply> {
    const r = await cohort(['rpc', ...args, '-I', 'sec1', '--json'], { nats: secureNats.url, env: { ...secureFleet.clientEnv, COHORT_CONFIG: secureClientConfig }, timeoutMs: 60_000 });
    assert.ok(r.code === 0 || r.code === 1, `cohort rpc ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { replies: Reply[] };
    assert.equal(out.replies.length, 1, r.stdout);
    return out.replies[0]!;
  }

  test('the agent gets the certified caller', async () => {
    const reply = await signedRpc(['textstat', 'info']);
    assert.equal(reply.statuscode, 0, reply.statusmsg);
    assert.equal(reply.data['caller'], 'user=operator');
    await until('the agent stdout logged at info', () => /INFO .*\[agent:textstat\] serving info for user=operator/.test(secureFleet.nodes.get('sec1')!.log()), {
      timeoutMs: 10_000,
      log: () => secureFleet.nodes.get('sec1')!.log(),
    });
  });

  test('an action the policy denies never reaches the executable', async () => {
    const reply = await signedRpc(['textstat', 'count', 'text=a b']);
    assert.equal(reply.statuscode, 1);
    assert.match(reply.statusmsg, /not authorized .*textstat\.policy/);
    // The same node logs the agent's stdout at info (previous test), so no such line means it never ran.
    const log = secureFleet.nodes.get('sec1')!.log();
    assert.match(log, /serving info for user=operator/);
    assert.doesNotMatch(log, /serving count/, 'the executable did not run');
  });
});
