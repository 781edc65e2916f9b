// Text rendering by display policy, footer, summaries, facts, inventory, plugin doc, and the --json shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ddl, DdlAction } from '@cohort/core';
import type { Reply, RpcStats } from '@cohort/client';
import {
  displayMode,
  flattenFacts,
  groupFactValues,
  renderFactReport,
  renderFooter,
  renderInventory,
  renderPluginDoc,
  renderReply,
  renderSummaries,
  rpcJson,
  shouldShow,
  stringifyJson,
} from '@cohort/cli';

const action: DdlAction = {
  action: 'get_fact',
  description: 'Retrieve a single fact',
  display: 'always',
  input: { fact: { prompt: 'Fact', description: 'The fact to retrieve', type: 'string', optional: false, validation: '^[\\w.]+$', maxlength: 40 } },
  output: {
    fact: { description: 'The fact', display_as: 'Fact', type: 'string' },
    value: { description: 'Its value', display_as: 'Value' },
  },
  aggregate: [{ function: 'summary', args: ['value'] }],
};

function reply(sender: string, statuscode: Reply['statuscode'], data: Record<string, unknown>, extra: Partial<Reply> = {}): Reply {
  return {
    sender,
    agent: 'rpcutil',
    action: 'get_fact',
    statuscode,
    statusmsg: statuscode === 0 ? 'OK' : 'Fact lookup failed',
    data,
    time: 1700000000000,
    elapsed_ms: 3,
    unexpected: false,
    ...extra,
  };
}

const stats: RpcStats = {
  requestid: 'a'.repeat(32),
  discovered: 5,
  responded: 3,
  ok: 2,
  failed: 1,
  no_response: ['db2', 'web9'],
  unexpected: ['ghost'],
  discovery_ms: 301.2,
  publish_ms: 0.4,
  agent_ms: 12.6,
  total_ms: 315.7,
};

test('display policy: --display wins, else the DDL, else failed', () => {
  assert.equal(displayMode(undefined, action), 'all');
  assert.equal(displayMode('failed', action), 'failed');
  assert.equal(displayMode('always', undefined), 'all');
  assert.equal(displayMode(undefined, { ...action, display: undefined }), 'failed');
  assert.equal(displayMode(undefined, { ...action, display: 'ok' }), 'ok');
  assert.deepEqual([0, 1].map((c) => shouldShow('ok', c)), [true, false]);
  assert.deepEqual([0, 1].map((c) => shouldShow('failed', c)), [false, true]);
  assert.deepEqual([0, 4].map((c) => shouldShow('all', c)), [true, true]);
  assert.deepEqual([0, 4].map((c) => shouldShow('none', c)), [false, false]);
});

test('an OK reply: sender padded to 40, label, right-aligned outputs', () => {
  const lines = renderReply(reply('web1', 0, { fact: 'os.family', value: 'Debian' }), action);
  assert.equal(lines[0], `${'web1'.padEnd(40)} OK`);
  assert.equal(lines[1], '    Fact: os.family');
  assert.equal(lines[2], '   Value: Debian');
  assert.equal(lines[3], '');
  assert.equal(lines.length, 4);
});

test('objects and arrays are shown as compact JSON; unknown keys after DDL ones', () => {
  const lines = renderReply(reply('web1', 0, { extra: 1, value: { a: [1, 2] }, fact: 'x' }), action);
  assert.deepEqual(lines.slice(1, 4), ['    Fact: x', '   Value: {"a":[1,2]}', '   extra: 1']);
  const long = renderReply(reply('web1', 0, { value: { key: 'v'.repeat(100) } }), action, { width: 60 }).join('\n').split('\n');
  assert.equal(long[1], '   Value: {');
  assert.match(long[2]!, /^ {10} {2}"key": "v+"$/);
});

test('a failed reply shows the label and statusmsg, and no default-valued outputs', () => {
  const lines = renderReply(reply('db1', 1, { fact: 'x', value: null }), action);
  assert.equal(lines[0], `${'db1'.padEnd(40)} Request Aborted`);
  assert.equal(lines[1], '   Fact lookup failed');
  assert.equal(lines[2], '    Fact: x');
  assert.equal(lines.length, 4);
  const invalid = renderReply(reply('db1', 4, { fact: 'x', value: null }), action);
  assert.deepEqual(invalid, [`${'db1'.padEnd(40)} Invalid Request Data`, '   Fact lookup failed', '']);
});

test('colour only when asked; unexpected replies are marked', () => {
  assert.doesNotMatch(renderReply(reply('a', 0, {}), action).join(''), /\u001b\[/);
  assert.match(renderReply(reply('a', 0, {}), action, { colour: true })[0]!, /\u001b\[32mOK\u001b\[0m/);
  assert.match(renderReply(reply('a', 0, {}, { unexpected: true }), action)[0]!, /OK \(unexpected\)$/);
});

test('summaries: heading, blank line, the aggregator text; empty ones are skipped', () => {
  const lines = renderSummaries([
    { function: 'summary', output: 'value', display_as: 'Value', kind: 'counts', counts: [['Debian', 3]], text: ['   Debian = 3'] },
    { function: 'summary', output: 'x', display_as: 'Nothing', kind: 'counts', counts: [], text: [] },
  ]);
  assert.deepEqual(lines, ['Summary of Value:', '', '   Debian = 3', '']);
});

test('summaries: a one-value summary (average) is its own line, with no empty "Summary of" heading', () => {
  const lines = renderSummaries([
    { function: 'summary', output: 'message', display_as: 'Message', kind: 'counts', counts: [['hi', 2]], text: ['   hi = 2'] },
    { function: 'average', output: 'length', display_as: 'Length', kind: 'value', value: 17, text: ['Average of Length: 17'] },
  ]);
  assert.deepEqual(lines, ['Summary of Message:', '', '   hi = 2', '', 'Average of Length: 17', '']);
});

test('footer: finished line, no-response and unexpected lists in columns, verbose stats', () => {
  const lines = renderFooter(stats, { width: 80 });
  assert.equal(lines[0], 'Finished processing 3 / 5 hosts in 316 ms');
  const text = lines.join('\n');
  assert.match(text, /No response from:\n\n {3}db2 +web9/);
  assert.match(text, /Unexpected response from:\n\n {3}ghost/);
  assert.doesNotMatch(text, /rpc stats/);
  const verbose = renderFooter(stats, { verbose: true }).join('\n');
  assert.match(verbose, /Nodes: 3 \/ 5/);
  assert.match(verbose, /Pass \/ Fail: 2 \/ 1/);
  assert.match(verbose, /Discovery Time: 301 ms/);
  assert.match(verbose, /Agent Time: 13 ms/);
  assert.match(verbose, /Total Time: 316 ms/);
});

test('footer colour: yellow when partial, green when complete, red when nobody replied', () => {
  assert.match(renderFooter(stats, { colour: true })[0]!, /^\u001b\[33m/);
  const all = { ...stats, responded: 5, failed: 0, ok: 5, no_response: [], unexpected: [] };
  assert.match(renderFooter(all, { colour: true })[0]!, /^\u001b\[32m/);
  assert.match(renderFooter({ ...all, responded: 0, ok: 0 }, { colour: true })[0]!, /^\u001b\[31m/);
  assert.doesNotMatch(renderFooter(all, { colour: false })[0]!, /\u001b/);
});

test('--json shape: agent, action, replies, stats, summaries', () => {
  const replies = [reply('web1', 0, { fact: 'cpus', value: 4 }), reply('ghost', 0, {}, { unexpected: true })];
  const doc = JSON.parse(stringifyJson(rpcJson('rpcutil', 'get_fact', replies, stats, []), false)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['agent', 'action', 'replies', 'stats', 'summaries']);
  assert.deepEqual((doc['replies'] as unknown[])[0], { sender: 'web1', statuscode: 0, statusmsg: 'OK', data: { fact: 'cpus', value: 4 }, time: 1700000000000 });
  assert.equal((doc['replies'] as Array<Record<string, unknown>>)[1]!['unexpected'], true);
  assert.deepEqual(Object.keys(doc['stats'] as object), [
    'requestid', 'discovered', 'responded', 'ok', 'failed', 'no_response', 'unexpected', 'discovery_ms', 'publish_ms', 'agent_ms', 'total_ms',
  ]);
  assert.equal(stringifyJson({ a: 1 }, false), '{"a":1}\n');
  assert.equal(stringifyJson({ a: 1 }, true), '{\n  "a": 1\n}\n');
});

test('facts report: values sorted with counts; -v lists nodes', () => {
  const replies = [
    reply('web2', 0, { value: 'Debian' }),
    reply('db1', 0, { value: 'RedHat' }),
    reply('web1', 0, { value: 'Debian' }),
    reply('x', 0, { value: null }),
    reply('bad', 5, { value: 'Debian' }),
  ];
  const groups = groupFactValues(replies);
  assert.deepEqual(groups.map((g) => [g.text, g.nodes]), [
    ['(missing)', ['x']],
    ['Debian', ['web1', 'web2']],
    ['RedHat', ['db1']],
  ]);
  const lines = renderFactReport('os.family', groups);
  assert.equal(lines[0], 'Report for fact: os.family');
  assert.ok(lines.some((l) => /^\s+Debian\s+found 2 times$/.test(l)));
  assert.ok(lines.some((l) => /^\s+RedHat\s+found 1 times$/.test(l)));
  assert.doesNotMatch(lines.join('\n'), /web1/);
  assert.match(renderFactReport('os.family', groups, { verbose: true }).join('\n'), /found 2 times\n\n\s+web1\s+web2/);
});

test('inventory: agents, classes and facts flattened with dots', () => {
  assert.deepEqual(flattenFacts({ os: { family: 'RedHat', release: { major: 9 } }, cpus: 4, tags: ['a', 'b'] }), [
    ['cpus', 4],
    ['os.family', 'RedHat'],
    ['os.release.major', 9],
    ['tags', ['a', 'b']],
  ]);
  const text = renderInventory('db1', { agents: ['rpcutil', 'echo'], classes: ['mysql'], facts: { os: { family: 'RedHat' }, tags: ['prod'] }, version: '0.1.0' }).join('\n');
  assert.match(text, /^Inventory for db1:/);
  assert.match(text, /Agents:\n\s+echo\s+rpcutil/);
  assert.match(text, /Classes:\n\s+mysql/);
  assert.match(text, /os\.family => RedHat/);
  assert.match(text, /tags => prod/);
});

test('plugin doc shows metadata, each action, inputs with their details and outputs', () => {
  const ddl: Ddl = {
    metadata: { name: 'rpcutil', description: 'Utilities', author: 'me', license: 'Apache-2.0', version: '1.0.0', url: 'https://x', timeout: 2 },
    actions: [action, { action: 'ping', description: 'Ping', input: {}, output: {} }],
  };
  const text = renderPluginDoc(ddl).join('\n');
  assert.match(text, /^rpcutil\n=======/);
  assert.match(text, /Timeout: 2 seconds/);
  assert.match(text, /ACTIONS:\n=+\n\s+get_fact, ping/);
  assert.match(text, /get_fact action:/);
  assert.match(text, /fact:\n\s+Description: The fact to retrieve\n\s+Prompt: Fact\n\s+Type: string\n\s+Optional: false\n\s+Validation: \^\[\\w\.\]\+\$\n\s+Length: 40/);
  assert.match(text, /Display As: Value/);
  assert.match(text, /This action does not have any inputs/);
  assert.match(text, /Usage: cohort rpc rpcutil get_fact fact=<string>/);
  assert.match(text, /Aggregate: summary\(value\)/);
  const one = renderPluginDoc(ddl, action).join('\n');
  assert.doesNotMatch(one, /ping action/);
});
