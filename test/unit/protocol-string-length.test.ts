// String lengths in the precompiled schema validators: minLength and
// maxLength count Unicode code points (a surrogate pair is one character, a
// lone surrogate one), as ajv's own ucs2length did before the validators
// used the faster one in packages/core/src/protocol/string-length.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, decodeRequest, encode, ProtocolError } from '@cohort/core';
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

test('minLength and maxLength at the edges where code points and UTF-16 units differ (the validators ask the UTF-16 length first)', () => {
  const base = testRequest();
  // maxLength 512: 510 emoji and 2 letters are 512 code points (1,022 units); one letter more is 513.
  const at = { ...base, reply_to: `${'😀'.repeat(510)}ab` };
  assert.equal(decodeRequest(encode(at)).reply_to, at.reply_to);
  assert.match(caught(ProtocolError, () => decodeRequest(encode({ ...base, reply_to: `${'😀'.repeat(510)}abc` }))).message, /\/reply_to must NOT have more than 512 characters/);
  // A lone surrogate counts one: 512 of them are within the limit.
  assert.equal(decodeRequest(encode({ ...base, reply_to: '\uD83D'.repeat(512) })).reply_to.length, 512);
  // minLength 1 (a class term): empty is refused, one astral character (two units) is not.
  assert.match(caught(ProtocolError, () => decodeRequest(encode({ ...base, filter: { ...base.filter, cf_class: [''] } }))).message, /\/filter\/cf_class\/0 must NOT have fewer than 1 characters/);
  assert.deepEqual(decodeRequest(encode({ ...base, filter: { ...base.filter, cf_class: ['😀'] } })).filter.cf_class, ['😀']);
  // minLength 2 (a signed envelope's request text): one emoji is two units but one character, refused; two emoji pass the length check.
  const sealed = (request: string) => ({ protocol: 'cohort:secure-request:1', request, signature: 'a'.repeat(128), public_key: 'b'.repeat(64) });
  assert.match(caught(ProtocolError, () => decode(encode(sealed('😀') as never))).message, /\/request must NOT have fewer than 2 characters/);
  assert.doesNotThrow(() => decode(encode(sealed('😀😀') as never)));
  assert.doesNotThrow(() => decode(encode(sealed('ab') as never)));
});
