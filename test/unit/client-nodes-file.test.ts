// --nodes parsing: text lists, JSON from `cohort rpc --json` / `find --json`, arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodesList } from '@cohort/client';

test('one identity per line; comments, blank lines and duplicates dropped', () => {
  const text = '# web tier\nweb1\n\n  web2  # the other one\nweb1\r\ndb1\n';
  assert.deepEqual(parseNodesList(text), ['web1', 'web2', 'db1']);
});

test('the JSON output of cohort rpc --json: replies[].sender', () => {
  const doc = {
    agent: 'rpcutil',
    action: 'ping',
    replies: [
      { sender: 'db2', statuscode: 0, statusmsg: 'OK', data: {}, time: 1 },
      { sender: 'db1', statuscode: 0, statusmsg: 'OK', data: {}, time: 2 },
    ],
    stats: { discovered: 2 },
    summaries: [],
  };
  assert.deepEqual(parseNodesList(JSON.stringify(doc, null, 2)), ['db2', 'db1']);
});

test('a JSON array of strings, of objects with sender/identity, or { nodes }', () => {
  assert.deepEqual(parseNodesList('["a","b"]'), ['a', 'b']);
  assert.deepEqual(parseNodesList('[{"sender":"a"},{"identity":"b"}]'), ['a', 'b']);
  assert.deepEqual(parseNodesList('{"nodes":["x"]}'), ['x']);
  assert.deepEqual(parseNodesList(''), []);
});

test('broken input is a usage error naming the source', () => {
  const usage = (source: string) => (err: Error & { code?: string }) => err.code === 'USAGE' && err.message.includes(source);
  assert.throws(() => parseNodesList('[1,2', 'nodes.json'), usage('nodes.json'));
  assert.throws(() => parseNodesList('[1]', 'nodes.json'), usage('nodes.json'));
  assert.throws(() => parseNodesList('{"foo":[]}', 'nodes.json'), usage('nodes.json'));
  assert.throws(() => parseNodesList('good\nbad id\n', 'list.txt'), usage('list.txt'));
  assert.throws(() => parseNodesList('a.b\n../etc\n', 'list.txt'), usage('list.txt'));
});

test('JSON lines from cohort rpc --jsonl: the senders, the stats line skipped', () => {
  const jsonl = [
    JSON.stringify({ sender: 'web1', statuscode: 0, statusmsg: 'OK', data: {}, time: 1 }),
    JSON.stringify({ sender: 'db1', statuscode: 1, statusmsg: 'no', data: {}, time: 2 }),
    JSON.stringify({ stats: { discovered: 3, responded: 2 }, summaries: [] }),
    '',
  ].join('\n');
  assert.deepEqual(parseNodesList(jsonl), ['web1', 'db1']);
  // Nothing kept: only the stats line.
  assert.deepEqual(parseNodesList(`${JSON.stringify({ stats: { discovered: 3 }, summaries: [] })}\n`), []);
  assert.throws(() => parseNodesList('{"sender":"web1"}\nnot json\n', 'stdin'), /stdin line 2 is not JSON/);
  assert.throws(() => parseNodesList('{"sender":"web1"}\n{"other":1}\n', 'stdin'), /stdin line 2: an object without "sender"/);
});
