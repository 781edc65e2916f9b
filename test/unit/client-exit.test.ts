// The CLI's single exit path: outcome and error → exit code, and what is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ConnectionError, DdlError, FilterSyntaxError, InputError, ProtocolError, UsageError } from '@cohort/core';
import { NoNodesError } from '@cohort/client';
import { errorReport, exitCodeForError, exitCodeForOutcome, exitCodeForStats, ExitCode, ParseError } from '@cohort/cli';

test('stats: 0 all OK, 1 failures or silence, 3 nothing discovered', () => {
  assert.equal(exitCodeForStats({ discovered: 3, responded: 3, failed: 0 }), ExitCode.OK);
  assert.equal(exitCodeForStats({ discovered: 3, responded: 3, failed: 1 }), ExitCode.Failed);
  assert.equal(exitCodeForStats({ discovered: 3, responded: 2, failed: 0 }), ExitCode.Failed);
  assert.equal(exitCodeForStats({ discovered: 0, responded: 0, failed: 0 }), ExitCode.NoNodes);
});

test('outcomes', () => {
  assert.equal(exitCodeForOutcome(undefined), 0, 'help/version');
  assert.equal(exitCodeForOutcome({ kind: 'done' }), 0);
  assert.equal(exitCodeForOutcome({ kind: 'found', count: 2 }), 0);
  assert.equal(exitCodeForOutcome({ kind: 'found', count: 0 }), 3);
  assert.equal(exitCodeForOutcome({ kind: 'rpc', stats: { discovered: 2, responded: 1, failed: 0 } }), 1);
});

test('errors: usage-like → 2, no nodes → 3, NATS → 4, anything else → 1', () => {
  assert.equal(exitCodeForError(new UsageError('x')), 2);
  assert.equal(exitCodeForError(new ParseError('Unknown argument: x')), 2);
  assert.equal(exitCodeForError(new ConfigError('x')), 2);
  assert.equal(exitCodeForError(new FilterSyntaxError('bad', 'a and', 2, 3)), 2);
  assert.equal(exitCodeForError(new DdlError('f.json', '/x', 'bad')), 2);
  assert.equal(exitCodeForError(new InputError('fact', 3, 'missing')), 2);
  assert.equal(exitCodeForError(new InputError('fact', 4, 'invalid')), 2);
  assert.equal(exitCodeForError(new NoNodesError()), 3);
  assert.equal(exitCodeForError(new ConnectionError(['nats://h:1'], 'nope')), 4);
  assert.equal(exitCodeForError(new ProtocolError('x')), 1);
  assert.equal(exitCodeForError(new Error('boom')), 1);
  assert.equal(exitCodeForError('string'), 1);
});

test('a filter syntax error is printed with its pointer', () => {
  const text = errorReport(new FilterSyntaxError('"and" cannot follow "and"', 'a=1 and and b=2', 8, 3));
  const lines = text.split('\n');
  assert.match(lines[0]!, /"and" cannot follow "and"/);
  assert.equal(lines[1], 'a=1 and and b=2');
  assert.equal(lines[2], '        ^^^');
});

test('a connection error says how to fix it', () => {
  const text = errorReport(new ConnectionError(['nats://127.0.0.1:1'], 'cannot connect to NATS at nats://127.0.0.1:1: connection refused'));
  assert.match(text, /127\.0\.0\.1:1/);
  assert.match(text, /nats-server/);
  assert.match(text, /--nats/);
});

test('no nodes is reported plainly', () => {
  assert.equal(errorReport(new NoNodesError()), 'No nodes matched the filter');
});
