// core's bucket-denied.ts: the one "cannot create this bucket" error every
// lazily-created bucket (registry, checks, mine, plugins, key-value store,
// web console jobs) gives a least-privilege NATS user: which bucket, and
// that the NATS admin creates it with `cohort bus init`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketNotCreatableError, bucketCreateError, busInitHint, CohortError, isPermissionDenied, mineValuesSpec } from '@cohort/core';

// What nats.js rejects with when the server refuses $JS.API.STREAM.CREATE.KV_<bucket> to this user.
const refusal = new Error("Permissions Violation for Publish to \"$JS.API.STREAM.CREATE.KV_cohort_mine_cohort\"");

test('a permissions violation becomes an error naming the bucket, what it holds and cohort bus init as the admin', () => {
  const spec = mineValuesSpec('cohort');
  const err = bucketCreateError(refusal, spec.name, spec.what);
  assert.ok(err instanceof BucketNotCreatableError);
  assert.ok(err instanceof CohortError);
  assert.equal(err.code, 'BUCKET_NOT_CREATABLE');
  assert.equal(err.bucket, 'cohort_mine_cohort');
  assert.equal(err.cause, refusal);
  assert.match(err.message, /^the mine values bucket cohort_mine_cohort does not exist \(or cannot be read\) and this NATS user may not create it: /);
  assert.match(err.message, /NATS admin .*`cohort bus init` \(COHORT_CONFIG=admin\.yaml cohort bus init/);
  assert.ok(err.message.endsWith(busInitHint));
});

test('without a description the bucket is still named', () => {
  const err = bucketCreateError(new Error('authorization violation'), 'cohort_web_jobs');
  assert.ok(err instanceof BucketNotCreatableError);
  assert.match(err.message, /^the bucket cohort_web_jobs does not exist/);
});

test('other failures pass through unchanged, and an explained error is not wrapped twice', () => {
  for (const other of [new Error('TIMEOUT'), new Error('503'), 'stream not found', undefined]) assert.equal(bucketCreateError(other, 'b', 'x'), other);
  const once = bucketCreateError(refusal, 'cohort_mine_cohort', 'mine values');
  assert.equal(bucketCreateError(once, 'cohort_mine_cohort', 'mine values'), once);
  assert.equal(isPermissionDenied(refusal), true);
  assert.equal(isPermissionDenied(new Error('permissions violation for subscription to "_INBOX.x"')), true);
  assert.equal(isPermissionDenied(new Error('no responders')), false);
});
