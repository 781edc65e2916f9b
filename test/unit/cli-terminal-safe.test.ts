// The CLI never writes control characters from other machines raw (issue 12, finding 12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminalSafe } from '../../packages/cli/src/terminal-safe.ts';

test('control characters become visible escapes; newlines, tabs and the CLI\'s own colours stay', () => {
  assert.equal(terminalSafe('plain\ttext\n'), 'plain\ttext\n');
  assert.equal(terminalSafe('\u001b]0;owned\u0007'), '\\u001b]0;owned\\u0007');
  assert.equal(terminalSafe('\u001b[2J\u009b31m\r'), '\\u001b[2J\\u009b31m\\u000d');
  assert.equal(terminalSafe('\u001b[32mOK\u001b[0m'), '\u001b[32mOK\u001b[0m');
  assert.equal(terminalSafe('\u001b[8mhidden'), '\\u001b[8mhidden');
});
