// The CheckPublisher with a sink of our own (the CheckSink interface): a
// check's writes in order, events kept while the sink refuses them and sent
// again oldest first, at most maxUnsent kept (the dropped ones logged), a
// deleted check's unsent events forgotten, a failed write logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckEvent, CheckStateRecord } from '@cohort/core';
import type { Logger } from '@cohort/core/log';
import { CheckPublisher, maxUnsent, type CheckSink } from '@cohort/server';

class Sink implements CheckSink {
  readonly log: string[] = [];
  refuse = false;
  failPut = false;
  async put(r: CheckStateRecord): Promise<void> {
    if (this.failPut) throw new Error('bucket gone');
    this.log.push(`put ${r.check}:${r.sequence}`);
  }
  async publish(r: CheckStateRecord, previous: CheckEvent['previous'], handlers: readonly string[], time: number): Promise<boolean> {
    if (this.refuse) return false;
    this.log.push(`event ${r.check}:${r.sequence} ${previous} [${handlers.join(',')}] @${time}`);
    return true;
  }
  async delete(check: string): Promise<void> {
    this.log.push(`delete ${check}`);
  }
  async restore(): Promise<CheckStateRecord | undefined> {
    return undefined;
  }
}

function setup() {
  const sink = new Sink();
  const warnings: string[] = [];
  const log = { warn: (m: string) => void warnings.push(m) } as unknown as Logger;
  let now = 1000;
  const p = new CheckPublisher({ sink, log, clock: () => now++ });
  return { p, sink, warnings };
}

// Only `check` and `sequence` matter to the publisher; the rest of the record is the sink's.
const record = (check: string, sequence: number) => ({ check, sequence }) as CheckStateRecord;
const change = { previous: 'ok', handlers: ['mail'] } as const;

test("a check's writes and events go out in the order they were made, each event with the time of its change", async () => {
  const { p, sink } = setup();
  p.write(record('disk', 1), change);
  p.write(record('disk', 2), undefined);
  p.write(record('disk', 3), change);
  await p.settled('disk');
  assert.deepEqual(sink.log, ['put disk:1', 'event disk:1 ok [mail] @1000', 'put disk:2', 'put disk:3', 'event disk:3 ok [mail] @1001']);
});

test('refused events are kept and sent again, oldest first, before the next write of the check', async () => {
  const { p, sink } = setup();
  sink.refuse = true;
  p.write(record('disk', 1), change);
  p.write(record('disk', 2), change);
  await p.idle();
  assert.deepEqual(sink.log, ['put disk:1', 'put disk:2']);
  sink.refuse = false;
  p.write(record('disk', 3), undefined);
  await p.settled('disk');
  assert.deepEqual(sink.log.slice(2), ['put disk:3', 'event disk:1 ok [mail] @1000', 'event disk:2 ok [mail] @1001']);
});

test(`at most ${maxUnsent} unsent events are kept per check; the oldest are dropped and the count logged`, async () => {
  const { p, sink, warnings } = setup();
  sink.refuse = true;
  for (let i = 1; i <= maxUnsent + 3; i++) p.write(record('disk', i), change);
  await p.idle();
  assert.deepEqual(warnings, ["checks: 'disk': 1 unsent event(s) dropped while the bus was unavailable", "checks: 'disk': 1 unsent event(s) dropped while the bus was unavailable", "checks: 'disk': 1 unsent event(s) dropped while the bus was unavailable"]);
  sink.refuse = false;
  sink.log.length = 0;
  p.write(record('disk', maxUnsent + 4), undefined);
  await p.idle();
  const events = sink.log.filter((l) => l.startsWith('event'));
  assert.equal(events.length, maxUnsent);
  assert.match(events[0] ?? '', /^event disk:4 /);
});

test("a deleted check's unsent events are forgotten; the delete waits for its earlier writes", async () => {
  const { p, sink } = setup();
  sink.refuse = true;
  p.write(record('disk', 1), change);
  await p.idle();
  p.write(record('disk', 2), undefined);
  p.delete('disk');
  await p.idle();
  sink.refuse = false;
  p.write(record('disk', 3), undefined);
  await p.idle();
  assert.deepEqual(sink.log, ['put disk:1', 'put disk:2', 'delete disk', 'put disk:3']);
});

test('an event refused by a write still queued when the check is deleted is forgotten too', async () => {
  const { p, sink } = setup();
  sink.refuse = true;
  p.write(record('disk', 1), change);
  p.delete('disk');
  await p.idle();
  sink.refuse = false;
  p.write(record('disk', 2), undefined);
  await p.idle();
  assert.deepEqual(sink.log, ['put disk:1', 'delete disk', 'put disk:2']);
});

test('a failed write is logged with the check; the next write goes out', async () => {
  const { p, sink, warnings } = setup();
  sink.failPut = true;
  p.write(record('disk', 1), change);
  await p.idle();
  assert.deepEqual(warnings, ["checks: writing 'disk' failed: bucket gone"]);
  sink.failPut = false;
  p.write(record('disk', 2), change);
  await p.idle();
  assert.deepEqual(sink.log, ['put disk:2', 'event disk:2 ok [mail] @1001']);
});
