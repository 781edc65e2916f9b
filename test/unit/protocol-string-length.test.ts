// String lengths in the precompiled schema validators: minLength and
// maxLength count Unicode code points (a surrogate pair is one character, a
// lone surrogate one), as ajv's own ucs2length did before the validators
// used the faster one in packages/core/src/protocol/string-length.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRequest, encode, ProtocolError } from '@cohort/core';
import { ucs2length } from '../../packages/core/src/protocol/string-length.ts';
import { caught, testRequest } from '../harness/messages.js';

/** Code points, lone surrogates counted one each: an oracle independent of the code under test. */
const codePoints = (s: string): number => Array.from(s).length;

test('ucs2length counts code points, with and without surrogates', () => {
  const samples = ['', 'a', 'node-0001.example.com', 'é', '日本語', '😀', 'a😀b', '😀😀', '\uD83D', '\uDE00', 'x\uD83Dy', '\uDE00\uD83D', '\uD83D\uD83D\uDE00', `${'ab'.repeat(300)}😀`];
  for (const s of samples) assert.equal(ucs2length(s), codePoints(s), JSON.stringify(s));
});

test('a request field at its maxLength in astral characters decodes; one character more is refused', () => {
  const base = testRequest();
  // reply_to: at most 512 characters; 512 emoji are 1024 UTF-16 code units.
  const at = { ...base, reply_to: '😀'.repeat(512) };
  assert.equal(decodeRequest(encode(at)).reply_to, at.reply_to);
  const over = { ...base, reply_to: '😀'.repeat(513) };
  const err = caught(ProtocolError, () => decodeRequest(encode(over)));
  assert.match(err.message, /\/reply_to must NOT have more than 512 characters/);
});
