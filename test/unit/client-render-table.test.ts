// `cohort rpc --table`: column widths that fit the screen, truncation with …,
// alignment, DDL column order and display names, unsafe characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DdlAction } from '@cohort/core';
import type { Reply } from '@cohort/client';
import { cellText, columnWidths, layoutTable, minColumnWidth, renderReplyTable, truncate } from '@cohort/cli';

const sum = (ws: number[]): number => ws.reduce((a, b) => a + b, 0);

test('natural widths when they fit; the widest columns share a cap when they do not', () => {
  assert.deepEqual(columnWidths([4, 6, 10], 80), [4, 6, 10]);
  // 2 gaps of 2: 40 - 4 = 36 for the cells; 5 + 3 kept whole, the two wide ones cut to share the rest.
  const w = columnWidths([5, 3, 100, 60], 40);
  assert.equal(w[0], 5);
  assert.equal(w[1], 3);
  assert.equal(sum(w) + 2 * 3, 40, `${w.join(',')} fills the width exactly`);
  assert.ok(Math.abs((w[2] ?? 0) - (w[3] ?? 0)) <= 1, `the cut columns are even: ${w.join(',')}`);
  // A narrow column next to a very wide one stays whole.
  assert.deepEqual(columnWidths([6, 9, 500], 60).slice(0, 2), [6, 9]);
});

test('columns are never cut below the minimum; the node column is cut last', () => {
  const w = columnWidths([10, 30, 30, 30, 30, 30], 60);
  assert.equal(w[0], 10, 'the node column stays whole while the others can shrink');
  for (const x of w.slice(1)) assert.equal(x, minColumnWidth);
  // Even at the minimum the others do not fit beside the node column: it is cut too, but not below the minimum.
  const tight = columnWidths([40, 30, 30], 20);
  assert.deepEqual(tight, [minColumnWidth, minColumnWidth, minColumnWidth]);
});

test('truncate ends cut text with …; cells are single-line and free of control characters', () => {
  assert.equal(truncate('abcdef', 6), 'abcdef');
  assert.equal(truncate('abcdefg', 6), 'abcde…');
  assert.equal(cellText('two\nlines'), 'two lines');
  assert.equal(cellText('\u001b[31mred\u001b[0m'), '?[31mred?[0m');
  assert.equal(cellText({ a: [1, 2] }), '{"a":[1,2]}');
  assert.equal(cellText(null), '');
  assert.equal(cellText(false), 'false');
});

test('layoutTable: header, rule, rows; aligned, no line wider than the width, no trailing spaces', () => {
  const long = 'y'.repeat(200);
  const lines = layoutTable(['Node', 'Status', 'Output', 'Code'], [['web1', 'OK', long, '2'], ['db10', 'OK', 'short', '0']], 50);
  assert.equal(lines.length, 4);
  for (const line of lines) {
    assert.ok(line.length <= 50, `${line.length}: ${line}`);
    assert.equal(line, line.trimEnd());
  }
  assert.match(lines[1] ?? '', /^-+ {2}-+ {2}-+ {2}-+$/);
  assert.match(lines[2] ?? '', /y…\s+2$/);
  const at = lines[0]?.indexOf('Code');
  assert.equal(lines[2]?.lastIndexOf('2'), at);
  assert.equal(lines[3]?.lastIndexOf('0'), at);
});

test('renderReplyTable: Node, Status, then outputs in DDL order under display names, then undeclared keys', () => {
  const action = {
    action: 'runcommand',
    output: {
      output: { description: '', display_as: 'Output', type: 'string' },
      exitcode: { description: '', display_as: 'Exit Code', type: 'integer' },
    },
  } as unknown as DdlAction;
  const reply = (sender: string, statuscode: 0 | 1, data: Record<string, unknown>): Reply => ({
    sender,
    agent: 'nrpe',
    action: 'runcommand',
    statuscode,
    statusmsg: statuscode ? 'failed' : 'OK',
    data,
    time: 0,
    elapsed_ms: 0,
    unexpected: false,
  });
  const lines = renderReplyTable([reply('web1', 0, { exitcode: 2, output: 'DISK CRITICAL', extra: true }), reply('db1', 1, {})], action, 120);
  assert.match(lines[0] ?? '', /^Node\s+Status\s+Output\s+Exit Code\s+extra$/);
  assert.match(lines[2] ?? '', /^web1\s+OK\s+DISK CRITICAL\s+2\s+true$/);
  assert.match(lines[3] ?? '', /^db1\s+Request Aborted$/);
});
