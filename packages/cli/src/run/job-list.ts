import { errorMessage } from '@cohort/core';
import { decodeOwnJob, type JobRecord } from '@cohort/client';
import { describeRetention } from '@cohort/client';
import { jobIdOfSubject } from '@cohort/core';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';
import { jobStoreOf } from './job-common.js';

/** `cohort job list`: the jobs kept in the collective's job stream, oldest first. */
export async function runJobList(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const bus = await session.openBus();
  try {
    const store = jobStoreOf(bus, session);
    const retention = await store.retention();
    if (!retention) {
      io.stderr.write(`No jobs: there is no job stream ${store.name} (no job was sent with --async in collective ${session.collective})\n`);
      if (session.json) io.stdout.write(stringifyJson([], io.stdout.isTTY));
      return { kind: 'done' };
    }
    const records: JobRecord[] = [];
    for (const m of await store.records()) {
      try {
        records.push(decodeOwnJob(m.data, `message ${m.seq} (${m.subject}) of stream ${store.name}`, session.signer));
      } catch (err) {
        io.stderr.write(`cohort: warning: skipping job ${jobIdOfSubject(m.subject)}: ${errorMessage(err)}\n`);
      }
    }
    const counts = await store.replyCounts();
    const rows = records
      .sort((a, b) => a.time - b.time)
      .map((r) => ({ id: r.id, time: r.time, agent: r.agent, action: r.action, callerid: r.callerid, expected: r.nodes.length, replies: counts.get(r.id) ?? 0 }))
      .map((r) => ({ ...r, complete: r.replies >= r.expected }));
    if (session.json) {
      io.stdout.write(stringifyJson(rows, io.stdout.isTTY));
      return { kind: 'done' };
    }
    const lines = rows.map((r) => `${r.id}  ${new Date(r.time).toISOString()}  ${`${r.replies} / ${r.expected}`.padStart(11)}  ${r.agent} ${r.action}  ${r.callerid}`);
    if (lines.length > 0) lines.unshift(`${'id'.padEnd(32)}  ${'sent'.padEnd(24)}  ${'replies'.padStart(11)}  call  caller`);
    lines.push(`${lines.length > 0 ? '' : 'No jobs kept. '}${rows.length} job(s) in stream ${store.name} (${describeRetention(retention)})`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return { kind: 'done' };
  } finally {
    await bus.close();
  }
}
