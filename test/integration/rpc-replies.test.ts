// Working with the replies of `cohort rpc`, through the real CLI against five
// real cohortd processes: --filter-replies (missing outputs and mismatched
// types are false, bad expressions refused before anything is sent, the exit
// code follows the kept replies), --senders chained into --nodes -, --table
// with long values, --jsonl streaming while a node is provably unable to
// answer (SIGSTOPped), and --record / --retry on a job with a killed node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type NatsConnection } from 'nats';
import { join } from 'node:path';
import { cohort, cohortBin, exampleClientConfig, exampleFleet, repoRoot, subscribedSubjects, until } from '../harness/index.js';

interface JsonReply {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}
interface JsonResult {
  job?: { id: string; retry_of?: string };
  replies: JsonReply[];
  stats: { discovered: number; responded: number; ok: number; failed: number; no_response: string[]; filtered_out?: number };
  summaries: Array<{ output: string; counts?: Array<[string, number]> }>;
  filter?: { expression: string; kept: number; filtered_out: number };
}

const all = ['cache1', 'db1', 'db2', 'web1', 'web2'];
let env: Awaited<ReturnType<typeof exampleFleet>>;
let nats: string;
let spy: NatsConnection;
const started: ChildProcess[] = [];

before(async () => {
  env = await exampleFleet();
  nats = env.nats.url;
  spy = await connect({ servers: nats });
});
after(async () => {
  for (const child of started) child.kill('SIGKILL');
  await spy?.close();
  await env?.stop();
});

async function rpcJson(args: string[], expectCode = 0): Promise<JsonResult> {
  const r = await cohort(['rpc', ...args, '--json'], { nats });
  assert.equal(r.code, expectCode, `cohort rpc ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as JsonResult;
}

const senders = (res: JsonResult): string[] => res.replies.map((r) => r.sender).sort();

/** Subjects published on the fleet's collective while `fn` runs. */
async function published(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const sub = spy.subscribe('cohort.>', { callback: (_e, m) => seen.push(m.subject) });
  await spy.flush();
  await fn();
  await spy.flush();
  sub.unsubscribe();
  return seen;
}

describe('--filter-replies', () => {
  test('numeric comparison on numeric strings keeps the matching replies; the output says how many were filtered out', async () => {
    const res = await rpcJson(['rpcutil', 'get_fact', 'fact=os.release', '--filter-replies', 'data.value > 10']);
    // web1 12.5, db2 12.5, web2 11.9 are kept; db1 9.3 and cache1 3.19 are not (compared as numbers, not text).
    assert.deepEqual(senders(res), ['db2', 'web1', 'web2']);
    assert.deepEqual(res.filter, { expression: 'data.value > 10', kept: 3, filtered_out: 2 });
    assert.equal(res.stats.filtered_out, 2);
    assert.equal(res.stats.responded, 5);
    // The summary describes the kept replies only.
    const counts = Object.fromEntries(res.summaries.find((s) => s.output === 'value')?.counts ?? []);
    assert.deepEqual(counts, { '12.5': 2, '11.9': 1 });

    const text = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=os.release', '--filter-replies', 'data.value > 10', '--display', 'all'], { nats });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Kept 3 of 5 replies: 2 filtered out by --filter-replies 'data\.value > 10'/);
    assert.doesNotMatch(text.stdout, /^db1\b/m);
    assert.match(text.stdout, /^web1\b/m);
  });

  test('regexes, booleans and and/or/not', async () => {
    assert.deepEqual(senders(await rpcJson(['rpcutil', 'get_fact', 'fact=os.release', '--filter-replies', 'data.value =~ /^12\\./'])), ['db2', 'web1']);
    assert.deepEqual(senders(await rpcJson(['rpcutil', 'get_fact', 'fact=virtual', '--filter-replies', 'data.value == true'])), ['db2', 'web1', 'web2']);
    assert.deepEqual(
      senders(await rpcJson(['rpcutil', 'get_fact', 'fact=role', '--filter-replies', '(data.value == web or data.value == db) and not sender =~ /2$/'])),
      ['db1', 'web1'],
    );
  });

  test('mismatched types are false whatever the operator (text comparison would keep them)', async () => {
    // role is a word on every node: "web" > "5" as text, but a word is never compared with a number.
    for (const expr of ['data.value > 5', 'data.value < 5', 'data.value != 5']) {
      const res = await rpcJson(['rpcutil', 'get_fact', 'fact=role', '--filter-replies', expr]);
      assert.deepEqual(res.replies, [], expr);
      assert.equal(res.stats.filtered_out, 5, expr);
    }
    // virtual is a boolean: ordering and numbers never match it.
    assert.deepEqual((await rpcJson(['rpcutil', 'get_fact', 'fact=virtual', '--filter-replies', 'data.value > 0'])).replies, []);
    // os is a hash: only a field inside it compares.
    assert.deepEqual((await rpcJson(['rpcutil', 'get_fact', 'fact=os', '--filter-replies', 'data.value == debian'])).replies, []);
    assert.deepEqual(senders(await rpcJson(['rpcutil', 'get_fact', 'fact=os', '--filter-replies', 'data.value.family == debian'])), ['db2', 'web1', 'web2']);
  });

  test('missing outputs: every comparison is false, != included; == null finds them', async () => {
    // A fact no node has: value is null in every reply.
    for (const expr of ['data.value != 1', 'data.value == 1', 'data.value =~ /./', 'data.value != /x/']) {
      const res = await rpcJson(['rpcutil', 'get_fact', 'fact=nosuch', '--filter-replies', expr]);
      assert.deepEqual(res.replies, [], expr);
    }
    assert.deepEqual(senders(await rpcJson(['rpcutil', 'get_fact', 'fact=nosuch', '--filter-replies', 'data.value == null'])), all);
    // A key absent inside an output.
    assert.deepEqual((await rpcJson(['rpcutil', 'get_fact', 'fact=os', '--filter-replies', 'data.value.codename != bookworm'])).replies, []);
    assert.deepEqual(senders(await rpcJson(['rpcutil', 'get_fact', 'fact=os', '--filter-replies', 'data.value.codename == null'])), all);
  });

  test('the exit code describes the kept replies: filtered-out failures do not count', async () => {
    const failing = await cohort(['rpc', 'echo', 'fail', '-I', 'web1', '-I', 'db1'], { nats });
    assert.equal(failing.code, 1);
    const ok = await rpcJson(['echo', 'fail', '-I', 'web1', '-I', 'db1', '--filter-replies', 'statuscode == 0']);
    assert.deepEqual(ok.replies, []);
    assert.equal(ok.stats.failed, 0);
    const still = await rpcJson(['echo', 'fail', '-I', 'web1', '-I', 'db1', '--filter-replies', 'sender == web1'], 1);
    assert.deepEqual(senders(still), ['web1']);
    assert.equal(still.stats.failed, 1);
    assert.equal(still.stats.filtered_out, 1);
  });

  test('a bad expression exits 2 with the position marked, before anything is sent', async () => {
    const cases: Array<[string[], RegExp, string]> = [
      [['rpcutil', 'get_fact', 'fact=role', '--filter-replies', 'data.valeu == web'], /the action has no output "valeu": its outputs are data\.fact, data\.value/, '     ^^^^^'],
      [['echo', 'echo', 'message=hi', '--filter-replies', 'data.length > abc'], /data\.length is an integer: compare it with a number, not "abc"/, '              ^^^'],
      [['rpcutil', 'ping', '--filter-replies', 'statuscode == 0 and'], /"and" must be followed by a statement/, '                ^^^'],
      [['rpcutil', 'ping', '--filter-replies', 'exitcode > 0'], /unknown field "exitcode"/, '^^^^^^^^'],
    ];
    for (const [args, message, caret] of cases) {
      let r!: Awaited<ReturnType<typeof cohort>>;
      const subjects = await published(async () => {
        r = await cohort(['rpc', ...args], { nats });
      });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /--filter-replies: /);
      assert.match(r.stderr, message);
      assert.ok(r.stderr.split('\n').includes(caret), `caret line ${JSON.stringify(caret)} in:\n${r.stderr}`);
      assert.deepEqual(subjects, [], `nothing was sent for ${args.join(' ')}`);
    }
  });
});

describe('--senders and --nodes -', () => {
  test('--senders prints only the kept identities, one per line, and chains into --nodes -', async () => {
    const list = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=role', '--filter-replies', 'data.value == db', '--senders'], { nats });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.stdout.split('\n').filter(Boolean).sort(), ['db1', 'db2']);
    assert.match(list.stderr, /Kept 2 of 5 replies: 3 filtered out/);

    const subjects = await published(async () => {
      const next = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=country', '--nodes', '-', '--json'], { nats, input: list.stdout });
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(senders(JSON.parse(next.stdout) as JsonResult), ['db1', 'db2']);
    });
    // Addressed directly: only the two nodes got the request.
    assert.deepEqual([...new Set(subjects.filter((s) => s.startsWith('cohort.node.')))].sort(), ['cohort.node.db1', 'cohort.node.db2']);

    const found = await cohort(['find', '--nodes', '-'], { nats, input: list.stdout });
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(found.stdout.split('\n').filter(Boolean).sort(), ['db1', 'db2']);
  });

  test('--jsonl and filtered --json outputs chain into --nodes - too', async () => {
    const jsonl = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=country', '--filter-replies', 'data.value == uk', '--jsonl'], { nats });
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const fromJsonl = await cohort(['find', '--nodes', '-'], { nats, input: jsonl.stdout });
    assert.equal(fromJsonl.code, 0, fromJsonl.stderr);
    assert.deepEqual(fromJsonl.stdout.split('\n').filter(Boolean).sort(), ['db2', 'web2']);

    const json = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=country', '--filter-replies', 'data.value == de', '--json'], { nats });
    const fromJson = await cohort(['rpc', 'rpcutil', 'ping', '--nodes', '-', '--senders'], { nats, input: json.stdout });
    assert.equal(fromJson.code, 0, fromJson.stderr);
    assert.deepEqual(fromJson.stdout.split('\n').filter(Boolean).sort(), ['db1', 'web1']);

    // Nothing kept: the next command has an empty list (exit 3), and says so.
    const none = await cohort(['rpc', 'rpcutil', 'get_fact', 'fact=country', '--filter-replies', 'data.value == fr', '--jsonl'], { nats });
    assert.equal(none.stdout.trim().split('\n').length, 1, 'only the stats line');
    const empty = await cohort(['rpc', 'rpcutil', 'ping', '--nodes', '-'], { nats, input: none.stdout });
    assert.equal(empty.code, 3);
    assert.match(empty.stderr, /the --nodes list is empty/);
  });
});

describe('--table', () => {
  test('one row per node, DDL columns under their display names, long values cut to the width (120 in a pipe)', async () => {
    const long = `${'x'.repeat(300)}END`;
    const r = await cohort(['rpc', 'echo', 'echo', `message=${long}`, '--table'], { nats });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const header = lines[0] ?? '';
    assert.match(header, /^Node\s+Status\s+Message\s+Length$/);
    const rows = lines.slice(2, 7);
    assert.deepEqual(rows.map((l) => l.split(/\s+/)[0]).sort(), all);
    for (const line of [header, lines[1] ?? '', ...rows]) assert.ok(line.length <= 120, `${line.length} > 120: ${line}`);
    for (const row of rows) {
      assert.match(row, /^\S+\s+OK\s+x+…\s+303$/, row);
      assert.doesNotMatch(row, /END/);
    }
    // Columns are aligned: every row's Length value starts under the header's.
    const at = header.indexOf('Length');
    for (const row of rows) assert.equal(row.indexOf('303'), at, row);
    assert.match(r.stdout, /Finished processing 5 \/ 5 hosts/);
  });

  test('output flags are exclusive', async () => {
    const r = await cohort(['rpc', 'rpcutil', 'ping', '--table', '--jsonl'], { nats });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--jsonl and --table cannot be combined|--table and --jsonl cannot be combined/);
  });
});

describe('--jsonl', () => {
  test('streams: the first reply is printed while another node is stopped and cannot answer', async () => {
    const stopped = env.fleet.nodes.get('web2')!.process;
    stopped.kill('SIGSTOP');
    let resumed = false;
    try {
      const child = spawn(process.execPath, [cohortBin, 'rpc', 'echo', 'echo', 'message=hi', '--jsonl', '-t', '60', ...all.flatMap((id) => ['-I', id])], {
        env: { ...process.env, NO_COLOR: '1', COHORT_CONFIG: exampleClientConfig, COHORT_NATS: nats },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const guard = setTimeout(() => child.kill('SIGKILL'), 60000);
      let out = '';
      let err = '';
      let linesWhileStopped: string[] | undefined;
      child.stderr.on('data', (d: Buffer) => (err += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        // Event: the other four replies arrived through the pipe, line by line, while web2 is frozen (resuming it
        // after the first line let it race the remaining three under load, and sometimes win).
        if (!resumed && out.split('\n').filter(Boolean).length >= all.length - 1) {
          linesWhileStopped = out.split('\n').filter(Boolean);
          resumed = true;
          stopped.kill('SIGCONT');
        }
      });
      const code = await closed;
      clearTimeout(guard);
      assert.equal(code, 0, err);
      assert.ok(linesWhileStopped && linesWhileStopped.length >= 1, 'a line was printed before the stopped node could answer');
      for (const line of linesWhileStopped) assert.notEqual((JSON.parse(line) as JsonReply).sender, 'web2');
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 6, 'five replies and a stats line');
      assert.deepEqual(lines.slice(0, 5).map((l) => l['sender']).sort(), all);
      assert.equal(lines[4]?.['sender'], 'web2', 'the stopped node answered last');
      const last = lines[5] as { stats: { responded: number; ok: number } };
      assert.equal(last.stats.responded, 5);
      assert.equal(last.stats.ok, 5);
    } finally {
      if (!resumed) stopped.kill('SIGCONT');
    }
  });
});

describe('--record and --retry', () => {
  const jobShow = async (id: string): Promise<{ code: number; doc: JsonResult & { job: { id: string; nodes: string[]; retry_of?: string; retried_by?: string[] } }; text: string }> => {
    const json = await cohort(['job', 'show', id, '--json'], { nats });
    const text = await cohort(['job', 'show', id], { nats });
    return { code: json.code, doc: JSON.parse(json.stdout) as never, text: text.stdout };
  };

  test('a sync call is recorded with --record; --retry re-sends to the node that was killed, as a new linked job', async () => {
    await env.fleet.kill('web2');
    const first = await rpcJson(['echo', 'echo', 'message=again', '--record'], 1);
    const old = first.job?.id ?? '';
    assert.match(old, /^[0-9a-f]{32}$/);
    assert.deepEqual(first.stats.no_response, ['web2']);
    assert.deepEqual(senders(first), ['cache1', 'db1', 'db2', 'web1']);

    // Nothing failed: --failed has nothing to do (exit 0, nothing sent).
    let none!: Awaited<ReturnType<typeof cohort>>;
    const quiet = await published(async () => {
      none = await cohort(['rpc', '--retry', old, '--failed'], { nats });
    });
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, new RegExp(`job ${old}: nothing to retry: no node failed`));
    assert.deepEqual(quiet.filter((s) => s.startsWith('cohort.node.')), []);

    // Bring web2 back (same config), wait until it is subscribed, then retry the silent node.
    const node = env.fleet.nodes.get('web2')!;
    const revived = spawn(process.execPath, [join(repoRoot, 'packages/server/bin/cohortd.cjs'), '--config', node.configFile], { stdio: 'ignore' });
    started.push(revived);
    await until('web2 to come back', async () => (await subscribedSubjects(env.nats.monitorPort)).has('cohort.node.web2'), { timeoutMs: 30_000, everyMs: 100 });

    let retried!: JsonResult;
    const subjects = await published(async () => {
      retried = await rpcJson(['--retry', old, '--no-response']);
    });
    assert.deepEqual([...new Set(subjects.filter((s) => s.startsWith('cohort.node.')))], ['cohort.node.web2'], 'only the silent node was asked again');
    assert.deepEqual(senders(retried), ['web2']);
    assert.equal(retried.replies[0]?.data['message'], 'again', 'the same inputs');
    assert.equal(retried.job?.retry_of, old);
    const fresh = retried.job?.id ?? '';

    const shownNew = await jobShow(fresh);
    assert.equal(shownNew.code, 0);
    assert.equal(shownNew.doc.job.retry_of, old);
    assert.deepEqual(shownNew.doc.job.nodes, ['web2']);
    assert.match(shownNew.text, new RegExp(`Retry of job ${old}`));
    const shownOld = await jobShow(old);
    assert.equal(shownOld.code, 1, 'the old job still lacks web2');
    assert.deepEqual(shownOld.doc.job.retried_by, [fresh]);
    assert.match(shownOld.text, new RegExp(`Retried by job ${fresh}`));
  });

  test('--retry --failed re-sends only to the nodes that failed', async () => {
    const first = await rpcJson(['echo', 'fail', '-I', 'web1', '-I', 'db1', '--record'], 1);
    let again!: JsonResult;
    const subjects = await published(async () => {
      again = await rpcJson(['--retry', first.job?.id ?? '', '--failed'], 1);
    });
    assert.deepEqual([...new Set(subjects.filter((s) => s.startsWith('cohort.node.')))].sort(), ['cohort.node.db1', 'cohort.node.web1']);
    assert.deepEqual(senders(again), ['db1', 'web1']);
    assert.equal(again.stats.failed, 2);
  });

  test('--retry refuses what it cannot repeat (exit 2, naming why)', async () => {
    const plain = (await rpcJson(['rpcutil', 'ping', '-I', 'web1'])) as unknown as { stats: { requestid: string } };
    const unknown = await cohort(['rpc', '--retry', plain.stats.requestid], { nats });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Only jobs sent with --async or --record \(and retries\) are kept: a plain cohort rpc call is not/);
    const bad = await cohort(['rpc', '--retry', 'nope'], { nats });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--retry 'nope' is not a job id/);
    const mixed = await cohort(['rpc', 'rpcutil', 'ping', '--retry', '0'.repeat(32)], { nats });
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /--retry takes the agent, action and inputs from job 0{32}/);
    const filtered = await cohort(['rpc', '--retry', '0'.repeat(32), '-F', 'role=web'], { nats });
    assert.equal(filtered.code, 2);
    assert.match(filtered.stderr, /--with-fact cannot be used with --retry/);
    // A bad reply filter is refused before the job is even looked up.
    const expr = await cohort(['rpc', '--retry', '0'.repeat(32), '--filter-replies', 'data.x >'], { nats });
    assert.equal(expr.code, 2);
    assert.match(expr.stderr, /--filter-replies: missing value after ">"/);
  });
});
