// cohortd logging to a file rotated by size (logging.file, max_size,
// max_files: winston's File transport, loaded only then): with a tiny
// max_size and a burst of requests, the file rotates many times, and the
// live file plus its archives hold every line once, whole and in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { decodeReply, encode, nodeSubject } from '@cohort/core';
import { startFleet, startNatsServer, until, type Fleet, type NatsServer } from '../harness/index.js';
import { testRequest } from '../harness/messages.js';

const identity = 'logger.example.com';
const requests = 300;
const burst = 10;
const maxFiles = 60;
let nats: NatsServer;
let fleet: Fleet;
let nc: NatsConnection;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cohort-log-file-'));
  nats = await startNatsServer();
  fleet = await startFleet({
    natsUrl: nats.url,
    monitorPort: nats.monitorPort,
    nodes: [{ identity, facts: {}, classes: [] }],
    // The echo agent logs every call at debug ("echo from ... length=N"); 1 KiB is the smallest size the setting takes.
    config: { logging: { level: 'debug', format: 'text', file: join(dir, 'log', 'cohortd.log'), max_size: '1KiB', max_files: maxFiles } },
  });
  nc = await connect({ servers: nats.url });
});
after(async () => {
  await nc?.close();
  await fleet?.stop();
  await nats?.stop();
  if (dir && !process.env["KEEP"]) rmSync(dir, { recursive: true, force: true });
});

test('a log file with a tiny max_size rotates, and no line is lost or torn', async () => {
  // Bursts of 10 requests (each published before the first reply), so lines keep coming while winston rotates.
  const replies = new Set<number>();
  for (let first = 1; first <= requests; first += burst) {
    for (let n = first; n < first + burst; n++) {
      const req = testRequest({ agent: 'echo', action: 'echo', data: { message: 'x'.repeat(n) } });
      nc.subscribe(req.reply_to, { max: 1, callback: (_e, m) => (decodeReply(m.data).statuscode === 0 ? replies.add(n) : undefined) });
      await nc.flush();
      nc.publish(nodeSubject('cohort', identity), encode(req));
    }
    await until(`${first + burst - 1} echo replies`, () => replies.size === first + burst - 1, { timeoutMs: 60_000, everyMs: 20 });
  }
  // SIGTERM: a graceful stop closes the logger, which waits until every line is in the file.
  await fleet.kill(identity, 'SIGTERM');
  assert.equal(fleet.nodes.get(identity)!.process.exitCode, 0, fleet.nodes.get(identity)!.log());
  assert.equal(fleet.nodes.get(identity)!.log(), '', 'nothing on stderr');

  const logDir = join(dir, 'log');
  const files = readdirSync(logDir).sort();
  // cohortd.log is the live file; cohortd1.log the newest archive, cohortdN.log the oldest.
  const archives = files.filter((f) => /^cohortd\d+\.log$/.test(f)).map((f) => Number(/\d+/.exec(f)![0])).sort((a, b) => b - a);
  assert.deepEqual([...files].sort(), ['cohortd.log', ...archives.map((n) => `cohortd${n}.log`)].sort(), 'only the live file and numbered archives');
  assert.ok(archives.length >= 10, `rotated many times (archives: ${archives.length})`);
  assert.ok(archives.length < maxFiles - 1, 'no archive was deleted (max_files not reached)');
  assert.deepEqual(archives, Array.from({ length: archives.length }, (_, i) => archives.length - i), 'archives numbered 1..N without gaps');
  const text = [...archives.map((n) => `cohortd${n}.log`), 'cohortd.log'].map((f) => readFileSync(join(logDir, f), 'utf8'));
  for (const t of text) assert.ok(t === '' || t.endsWith('\n'), 'every file ends with a whole line');
  const lines = text.join('').split('\n').slice(0, -1);
  const torn = lines.filter((l) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (ERROR|WARN |INFO |DEBUG) (\[[^\]]+\] )?\S.*$/.test(l));
  assert.deepEqual(torn, [], 'every line is a whole text line');
  const echoed = lines.map((l) => / echo from user=test length=(\d+)$/.exec(l)).filter((m) => m !== null).map((m) => Number(m[1]));
  assert.equal(echoed.length, requests, 'one line per request');
  assert.deepEqual([...new Set(echoed)].sort((a, b) => a - b), Array.from({ length: requests }, (_, i) => i + 1), 'every request logged once');
  const stamps = lines.map((l) => l.slice(0, 24));
  assert.deepEqual(stamps, [...stamps].sort(), 'oldest archive first, live file last: the lines in time order');
  assert.ok(!existsSync(join(logDir, `cohortd${maxFiles}.log`)));
});
