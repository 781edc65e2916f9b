// How `cohort rpc` prints a call's replies with --filter-replies and each
// output format, and which outcome (exit code) the kept replies give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DdlAction } from '@cohort/core';
import type { Reply, RpcStats } from '@cohort/client';
import { exitCodeForOutcome, memoryIo, replyFilterArg, RpcPresenter } from '@cohort/cli';

const action = {
  action: 'runcommand',
  display: 'always',
  output: { exitcode: { description: '', display_as: 'Exit Code', type: 'integer' } },
} as unknown as DdlAction;

function reply(sender: string, statuscode: 0 | 1, exitcode: number): Reply {
  return { sender, agent: 'nrpe', action: 'runcommand', statuscode, statusmsg: statuscode ? 'failed' : 'OK', data: { exitcode }, time: 1, elapsed_ms: 1, unexpected: false };
}

const stats: RpcStats = {
  requestid: 'r',
  discovered: 3,
  responded: 3,
  ok: 2,
  failed: 1,
  no_response: [],
  unexpected: [],
  discovery_ms: 0,
  publish_ms: 0,
  agent_ms: 0,
  total_ms: 0,
};

function run(argv: Record<string, unknown>, replies: Reply[], s: RpcStats = stats) {
  const io = memoryIo();
  const session = { io, progress: false, colour: false, verbose: false } as never;
  const p = new RpcPresenter(session, argv, { agent: 'nrpe', action: 'runcommand', ddl: action, filter: replyFilterArg(argv, action) });
  const seen: string[] = [];
  for (const r of replies) {
    p.offer(r);
    seen.push(io.out());
  }
  const code = exitCodeForOutcome(p.finish(s));
  return { out: io.out(), err: io.err(), code, seen };
}

const three = [reply('web1', 0, 2), reply('web2', 0, 0), reply('db1', 1, 0)];

test('a filtered-out failure does not fail the command; a kept one does', () => {
  assert.equal(run({}, three).code, 1);
  assert.equal(run({ 'filter-replies': 'data.exitcode == 2' }, three).code, 0);
  assert.equal(run({ 'filter-replies': 'sender =~ /^db/' }, three).code, 1);
  // A silent node still fails it, whatever the filter.
  assert.equal(run({ 'filter-replies': 'statuscode == 0' }, three.slice(0, 2), { ...stats, responded: 2, no_response: ['db1'] }).code, 1);
});

test('--jsonl writes each kept reply at once, then one stats line with the filter counts', () => {
  const r = run({ jsonl: true, 'filter-replies': 'data.exitcode == 0' }, three);
  assert.equal(r.seen[0], '', 'web1 was filtered out: nothing written');
  assert.match(r.seen[1] ?? '', /^\{"sender":"web2".*\}\n$/, 'web2 written as soon as it was offered');
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines.slice(0, 2).map((l) => l['sender']), ['web2', 'db1']);
  const last = lines[2] as { stats: { ok: number; failed: number; filtered_out: number }; filter: unknown };
  assert.deepEqual({ ok: last.stats.ok, failed: last.stats.failed, filtered_out: last.stats.filtered_out }, { ok: 1, failed: 1, filtered_out: 1 });
  assert.deepEqual(last.filter, { expression: 'data.exitcode == 0', kept: 2, filtered_out: 1 });
});

test('--senders: identities only on stdout, the counts on stderr', () => {
  const r = run({ senders: true, 'filter-replies': 'data.exitcode == 0' }, three);
  assert.equal(r.out, 'web2\ndb1\n');
  assert.match(r.err, /Kept 2 of 3 replies: 1 filtered out by --filter-replies 'data\.exitcode == 0'/);
});

test('text: only kept replies, and the footer says how many were filtered out', () => {
  const r = run({ 'filter-replies': 'data.exitcode == 2' }, three);
  assert.match(r.out, /^web1\s+OK/m);
  assert.doesNotMatch(r.out, /^web2\b/m);
  assert.match(r.out, /Kept 1 of 3 replies: 2 filtered out/);
});

test('output formats are exclusive', () => {
  assert.throws(() => run({ json: true, senders: true }, []), /--json and --senders cannot be combined/);
});
