// Pure parts of the node hardening (issue 12, findings 1, 5, 6, 10): the
// reply subject rule, the replay cache's per-caller share, filter size
// limits, size-aware caches, the refusal audit's rate limit and summaries,
// and the freshness stage (ttl cap, future skew, daemon start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asyncReplySubject,
  BoundedCache,
  emptyFilter,
  filterSizeProblem,
  isCallerReplySubject,
  ReplayCache,
  ReplayVerdict,
  replySubject,
  type AuditRecord,
  type AuditSummary,
  type Filter,
} from '@cohort/core';
import { RefusalAudit } from '../../packages/server/src/pipeline/refusal-audit.ts';
import { ttlStage } from '../../packages/server/src/pipeline/ttl.ts';
import { testRequest } from '../harness/messages.js';

test('a reply may go only to the caller\'s own reply subject for the request, or its async job subjects', () => {
  const id = 'a'.repeat(32);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, replySubject('cohort', 'user=alice', id)), true);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, asyncReplySubject('cohort', 'user=alice', 'job1')), true);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, replySubject('cohort', 'user=bob', id)), false);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, replySubject('cohort', 'user=alice', 'b'.repeat(32))), false);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, '$KV.cohort_registry_cohort.web2'), false);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, '$JS.API.STREAM.PURGE.cohort_jobs_cohort'), false);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, `${asyncReplySubject('cohort', 'user=alice', 'job1')}.more`), false);
  assert.equal(isCallerReplySubject('cohort', 'user=alice', id, asyncReplySubject('cohort', 'user=alice', '')), false);
});

test('the replay cache gives each caller only its share', () => {
  const cache = new ReplayCache(10, 3);
  const now = 1000;
  for (let i = 0; i < 3; i++) assert.equal(cache.check(`m${i}`, now + 100, now, 'mallory'), ReplayVerdict.New);
  assert.equal(cache.check('m3', now + 100, now, 'mallory'), ReplayVerdict.CallerFull);
  assert.equal(cache.check('a0', now + 100, now, 'alice'), ReplayVerdict.New);
  assert.equal(cache.check('m0', now + 100, now, 'mallory'), ReplayVerdict.Replayed);
  // Expiry gives the share back.
  assert.equal(cache.check('m4', now + 500, now + 200, 'mallory'), ReplayVerdict.New);
  assert.equal(cache.heldBy('mallory'), 1);
});

test('filters over the limits are named', () => {
  assert.equal(filterSizeProblem(emptyFilter()), undefined);
  assert.match(filterSizeProblem({ ...emptyFilter(), compound: ['x'.repeat(5000)] }) ?? '', /compound expression in the filter has 5000 characters \(at most 4096\)/);
  assert.match(filterSizeProblem({ ...emptyFilter(), cf_class: Array.from({ length: 65 }, (_, i) => `c${i}`) }) ?? '', /65 .* terms \(at most 64\)/);
});

test('every kind of over-long filter term is named, the first problem in the order compound, fact, class, agent, identity', () => {
  const long = 'y'.repeat(1025);
  const fact = (f: string, value: string) => ({ fact: f, operator: '==' as const, value });
  const within = { ...emptyFilter(), compound: ['x'.repeat(4096)], fact: [fact('a'.repeat(1024), 'b'.repeat(1024))], cf_class: ['c'.repeat(1024)], agent: ['d'.repeat(1024)], identity: ['e'.repeat(1024)] };
  assert.equal(filterSizeProblem(within as Filter), undefined, 'at the limits');
  const cases: Array<[Partial<Filter>, string]> = [
    [{ fact: [fact('os', 'linux'), fact(long, 'x')] }, 'a fact term in the filter has 1025 characters (at most 1024)'],
    [{ fact: [fact('os', long)] }, 'a fact term in the filter has 1025 characters (at most 1024)'],
    [{ cf_class: ['web', long] }, 'a class in the filter has 1025 characters (at most 1024)'],
    [{ agent: [long] }, 'a agent in the filter has 1025 characters (at most 1024)'],
    [{ identity: ['web1', long] }, 'a identity in the filter has 1025 characters (at most 1024)'],
    // Several problems: the first in the order of the checks.
    [{ identity: [long], agent: ['z'.repeat(2000)], cf_class: ['z'.repeat(3000)] }, 'a class in the filter has 3000 characters (at most 1024)'],
    [{ fact: [fact('x', 'z'.repeat(1500))], compound: ['z'.repeat(4097)] }, 'a compound expression in the filter has 4097 characters (at most 4096)'],
    [{ fact: [fact('z'.repeat(1100), 'z'.repeat(1200))] }, 'a fact term in the filter has 1100 characters (at most 1024)'],
  ];
  for (const [parts, message] of cases) assert.equal(filterSizeProblem({ ...within, ...parts } as Filter), message, JSON.stringify(Object.keys(parts)));
});

test('a size-aware cache drops what would exceed its weight and never keeps a huge entry', () => {
  const cache = new BoundedCache<string, number>(100, { maxWeight: 100, weigh: (k) => k.length });
  cache.set('x'.repeat(30), 1);
  assert.equal(cache.size, 0, 'heavier than a quarter of the budget: not kept');
  for (let i = 0; i < 10; i++) cache.set(`${i}`.padEnd(20, '.'), i);
  assert.ok(cache.weight <= 100);
});

test('refusals: 5 lines per caller and reason, then counted, summaries at flush', () => {
  const written: Array<AuditRecord | AuditSummary> = [];
  const audit = new RefusalAudit({ write: (r) => (written.push(r), true), close: () => undefined }, { perInterval: 60, clock: () => 0 });
  const request = testRequest({ callerid: 'user=mallory', data: { junk: 'x'.repeat(10000) } });
  for (let i = 0; i < 20; i++) audit.refuse(request, 'unsigned', 'not signed', false, undefined);
  assert.equal(written.length, 5);
  const first = written[0] as AuditRecord;
  assert.equal(first.claimed_callerid, 'user=mallory');
  assert.equal(first.callerid, undefined);
  assert.equal(first.data, undefined);
  assert.equal(first.data_digest?.bytes, JSON.stringify(request.data).length);
  audit.close();
  const summary = written[5] as AuditSummary;
  assert.equal(summary.summary, true);
  assert.equal(summary.suppressed, 15);
  assert.equal(summary.reason_code, 'unsigned');
});

test('freshness: ttl cut to max_ttl, future times and requests from before the daemon started refused', () => {
  const freshness = { maxTtl: 60, maxSkewMs: 30_000, startedAt: 1_000_000 };
  const now = 2_000_000;
  assert.equal(ttlStage(testRequest({ time: now - 1000, ttl: 86400 }), now, freshness), undefined);
  assert.match(ttlStage(testRequest({ time: now - 120_000, ttl: 86400 }), now, freshness)?.detail ?? '', /outside its 60 s ttl \(its 86400 s cut to security.max_ttl\)/);
  assert.match(ttlStage(testRequest({ time: now + 60_000, ttl: 86400 }), now, freshness)?.detail ?? '', /more than the 30 s clock skew/);
  assert.match(ttlStage(testRequest({ time: 999_000, ttl: 86400 }), 1_001_000, { ...freshness, maxTtl: 86400 })?.detail ?? '', /before this daemon started/);
});
