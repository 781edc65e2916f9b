// Bucket keys and event subjects of checks: identities may hold dots, ':' and '@'; check names never hold dots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEventSubject, checkEventsFilter, checkKey, parseCheckEventSubject, parseCheckKey } from '@cohort/core';

test('event subjects round-trip for plain, dotted and escaped identities', () => {
  for (const identity of ['web1', 'web1.example.net', 'lab:7@edge', 'a.b:c@d.e']) {
    const subject = checkEventSubject('cohort', identity, 'disk_root');
    assert.deepEqual(parseCheckEventSubject('cohort', subject), { identity, check: 'disk_root' });
    assert.deepEqual(parseCheckKey(checkKey('disk_root', identity)), { check: 'disk_root', identity });
  }
});

test('other subjects, empty parts and bad check names are not check events', () => {
  assert.equal(parseCheckEventSubject('cohort', 'cohort.lifecycle.startup.web1'), undefined);
  assert.equal(parseCheckEventSubject('cohort', 'other.check-event.web1.load'), undefined);
  assert.equal(parseCheckEventSubject('cohort', 'cohort.check-event.web1'), undefined);
  assert.equal(parseCheckEventSubject('cohort', 'cohort.check-event.web1.'), undefined);
  assert.equal(parseCheckEventSubject('cohort', 'cohort.check-event.web1.Load'), undefined);
});

test('the per-node filter matches only that node\'s events', () => {
  assert.equal(checkEventsFilter('cohort'), 'cohort.check-event.>');
  assert.equal(checkEventsFilter('cohort', 'web1.example.net'), 'cohort.check-event.web1.example.net.*');
});
