// A caller's reply prefix and inbox prefix carry md5(callerid), remembered
// for recent callers (packages/core/src/protocol/subjects.ts): the answer
// must stay md5 of that very caller id, also once more callers than the
// memo holds have come and gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { callerInboxPrefix, replyPrefix, replySubject } from '@cohort/core';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

test('reply and inbox prefixes are md5 of the caller id, for many callers and again', () => {
  const callers = Array.from({ length: 1000 }, (_, i) => `user=caller${i}`);
  for (let pass = 0; pass < 2; pass++) {
    for (const c of callers) {
      assert.equal(replyPrefix('cohort', c), `cohort.reply.${md5(c)}`);
      assert.equal(callerInboxPrefix(c), `_INBOX.${md5(c)}`);
    }
  }
  assert.equal(replySubject('other', 'user=alice', 'abc'), `other.reply.${md5('user=alice')}.abc`);
  assert.notEqual(replyPrefix('cohort', 'user=a'), replyPrefix('cohort', 'user=b'));
});
