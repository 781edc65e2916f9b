// `cohort rpc` against five real cohortd processes: display and aggregate
// output, --json, batching, limits, failures, timeouts and refused input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { cohort, exampleFleet } from '../harness/index.js';

interface JsonReply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
  time: number;
}
interface JsonResult {
  replies: JsonReply[];
  stats: {
    discovered: number;
    responded: number;
    ok: number;
    failed: number;
    no_response: string[];
    unexpected: string[];
    [k: string]: unknown;
  };
  summaries: Array<Record<string, unknown>>;
}

let env: Awaited<ReturnType<typeof exampleFleet>>;
let nats: string;
let spy: NatsConnection;

before(async () => {
  env = await exampleFleet();
  nats = env.nats.url;
  spy = await connect({ servers: nats });
});
after(async () => {
  await spy?.close();
  await env?.stop();
});

async function rpcJson(args: string[], expectCode = 0): Promise<JsonResult> {
  const r = await cohort(['rpc', ...args, '--json'], { nats });
  assert.equal(r.code, expectCode, `cohort rpc ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as JsonResult;
}

const senders = (res: JsonResult) => res.replies.map((r) => r.sender).sort();

/** Everything the client published on the bus while `fn` runs (the nodes' own heartbeat traffic, on their node inboxes, $KV and $JS, is not the client's). */
async function published(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const nodesOwn = /^(_INBOX\.node\.|\$KV\.|\$JS\.)/;
  const sub = spy.subscribe('>', { callback: (_e, m) => { if (!nodesOwn.test(m.subject)) seen.push(m.subject); } });
  await spy.flush();
  await fn();
  await spy.flush();
  sub.unsubscribe();
  return seen;
}

describe('text output', () => {
  test('shows replies per the display policy, aggregate summaries and a footer', async () => {
    const r = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=os.family'], { nats });
    assert.equal(r.code, 0, r.stderr);
    for (const id of ['web1', 'web2', 'db1', 'db2', 'cache1']) assert.match(r.stdout, new RegExp(`^${id}\\b`, 'm'));
    assert.match(r.stdout, /Summary of Value:/);
    assert.match(r.stdout, /Debian\s*=\s*3/);
    assert.match(r.stdout, /Finished processing 5 \/ 5 hosts in \d+ ms/);
  });
  test('--display failed hides successful replies but keeps the summary', async () => {
    const r = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=role', '--display', 'failed'], { nats });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /^web1\b/m);
    assert.match(r.stdout, /Summary of Value:/);
    assert.match(r.stdout, /web\s*=\s*2/);
  });
  test('a DDL display policy of failed shows only the failures', async () => {
    const r = await cohort(['rpc', 'echo', 'fail', '-I', 'web1', '-I', 'db1'], { nats });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^web1\b.*Request Aborted/m);
    assert.match(r.stdout, /^db1\b.*Request Aborted/m);
  });
});

describe('--json', () => {
  test('has replies, stats and summaries', async () => {
    const res = await rpcJson(['rpcutil', 'get_fact', 'fact=cpus']);
    assert.deepEqual(senders(res), ['cache1', 'db1', 'db2', 'web1', 'web2']);
    for (const reply of res.replies) {
      assert.equal(reply.statuscode, 0);
      assert.equal(reply.statusmsg, 'OK');
      assert.equal(reply.data['fact'], 'cpus');
      assert.equal(typeof reply.data['value'], 'number', 'facts keep their YAML types');
    }
    assert.equal(res.stats.discovered, 5);
    assert.equal(res.stats.responded, 5);
    assert.equal(res.stats.ok, 5);
    assert.equal(res.stats.failed, 0);
    assert.deepEqual(res.stats.no_response, []);
    assert.deepEqual(res.stats.unexpected, []);
    assert.ok(Array.isArray(res.summaries) && res.summaries.length === 1, 'one summary for get_fact value');
  });
  test('output can be fed back with --nodes - to chain requests', async () => {
    const first = await cohort(['rpc', 'rpcutil', 'ping', '-F', 'role=db', '--json'], { nats });
    assert.equal(first.code, 0, first.stderr);
    const second = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=role', '--nodes', '-', '--json'], { nats, input: first.stdout });
    assert.equal(second.code, 0, second.stderr);
    const res = JSON.parse(second.stdout) as JsonResult;
    assert.deepEqual(senders(res), ['db1', 'db2']);
  });
});

describe('batching and limits', () => {
  test('--batch sends in groups with a sleep between them', async () => {
    const res = await rpcJson(['rpcutil', 'ping', '--batch', '2', '--batch-sleep', '1']);
    assert.equal(res.replies.length, 5);
    // Replies grouped where the 1 s sleep separates them: batches of exactly 2, 2 and 1 (batches of 1 would make five groups).
    const times = res.replies.map((r) => r.time).sort((a, b) => a - b);
    const groups = [1];
    for (let i = 1; i < times.length; i++) {
      if (times[i]! - times[i - 1]! >= 800) groups.push(1);
      else groups[groups.length - 1]!++;
    }
    assert.deepEqual(groups, [2, 2, 1], `reply times ${times.map((t) => t - times[0]!).join(', ')} ms`);
  });
  test('--batch N% rounds up against the discovered count', async () => {
    const res = await rpcJson(['rpcutil', 'ping', '--batch', '50%', '--batch-sleep', '0.6']);
    assert.equal(res.replies.length, 5);
    const times = res.replies.map((r) => r.time).sort((a, b) => a - b);
    // ceil(50% of 5) = 3 per batch: two groups, so exactly one gap of >= 0.6 s.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.equal(gaps.filter((g) => g >= 500).length, 1, `gaps ${gaps.join(',')}`);
  });
  test('--limit N, N% and -1', async () => {
    assert.equal((await rpcJson(['rpcutil', 'ping', '--limit', '2'])).replies.length, 2);
    assert.equal((await rpcJson(['rpcutil', 'ping', '--limit', '40%'])).replies.length, 2);
    assert.equal((await rpcJson(['rpcutil', 'ping', '-1'])).replies.length, 1);
  });
  test('--limit-seed picks the same random subset every time', async () => {
    const a = senders(await rpcJson(['rpcutil', 'ping', '--limit', '3', '--limit-seed', '42']));
    const b = senders(await rpcJson(['rpcutil', 'ping', '--limit', '3', '--limit-seed', '42']));
    assert.equal(a.length, 3);
    assert.deepEqual(a, b);
  });
});

describe('failures', () => {
  test('a node killed mid-run is listed as not responding and the exit code is 1', async () => {
    const victim = 'db2';
    // Kill the victim the moment its request reaches it, so it has been discovered but never replies.
    const sub = spy.subscribe(`cohort.node.${victim}`, { max: 1 });
    const killed = (async () => {
      for await (const _ of sub) await env.fleet.kill(victim, 'SIGKILL');
    })();
    await spy.flush();
    const r = await cohort(['rpc', 'echo', 'sleep', 'seconds=1', '--json'], { nats });
    await killed;
    assert.equal(r.code, 1, r.stderr);
    const res = JSON.parse(r.stdout) as JsonResult;
    assert.equal(res.stats.discovered, 5);
    assert.equal(res.stats.responded, 4);
    assert.deepEqual(res.stats.no_response, [victim]);
    const text = await cohort(['rpc', 'rpcutil', 'ping', '-I', 'web1', '-I', victim, '-t', '2'], { nats });
    assert.equal(text.code, 1);
    assert.match(text.stdout + text.stderr, /No response from:[\s\S]*db2/);
  });
  test('an action that overruns its DDL timeout is aborted with status 1', async () => {
    const res = await rpcJson(['echo', 'sleep', 'seconds=5', '-I', 'web1'], 1);
    assert.equal(res.replies.length, 1);
    assert.equal(res.replies[0]!.statuscode, 1);
    assert.match(res.replies[0]!.statusmsg, /time(d)? ?out|exceeded/i);
  });
});

describe('refused before sending', () => {
  test('invalid input exits 2 naming the input, and nothing is published', async () => {
    let r = { code: -1, stdout: '', stderr: '' };
    const subjects = await published(async () => {
      r = await cohort(['rpc', 'echo', 'sleep', 'seconds=soon'], { nats });
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /seconds/);
    assert.deepEqual(subjects, []);
  });
  test('a missing required input exits 2 and shows the DDL description', async () => {
    let r = { code: -1, stdout: '', stderr: '' };
    const subjects = await published(async () => {
      r = await cohort(['rpc', 'rpcutil', 'get_fact'], { nats });
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'fact'/);
    assert.match(r.stderr, /fact to retrieve/i);
    assert.deepEqual(subjects, []);
  });
  test('an unknown agent or action exits 2 and says what exists', async () => {
    const agent = await cohort(['rpc', 'nosuchagent', 'ping'], { nats });
    assert.equal(agent.code, 2);
    assert.match(agent.stderr, /nosuchagent/);
    const action = await cohort(['rpc', 'rpcutil', 'nosuchaction'], { nats });
    assert.equal(action.code, 2);
    assert.match(action.stderr, /nosuchaction/);
    assert.match(action.stderr, /get_fact/);
  });
  test('no reachable NATS exits 4 naming the URL', async () => {
    const r = await cohort(['ping', '--nats', 'nats://127.0.0.1:1'], {});
    assert.equal(r.code, 4);
    assert.match(r.stderr, /127\.0\.0\.1:1/);
  });
});
