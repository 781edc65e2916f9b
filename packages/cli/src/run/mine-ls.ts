import { mineBucket, mineDefinitionsBucket } from '@cohort/core';
import { mine, readBucketEntries, readSignedBucket } from '@cohort/client';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';
import { mineKvOf, mineTrust } from './mine-common.js';

/** `cohort mine ls`: functions, where defined, nodes reporting, oldest age. */
export async function runMineLs(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const trust = mineTrust(argv, session);
  const bus = await session.openBus();
  let readings = new Map<string, mine.Reading>();
  const definitions: mine.ListedDefinition[] = [];
  try {
    const open = mineKvOf(bus);
    // Both buckets at once, each in one read; the values' signatures checked in the thread pool as they arrive.
    // No definitions bucket means nothing was defined from the bus.
    const [values] = await Promise.all([
      readSignedBucket(open, mineBucket(session.collective), '>', (key, bytes, at) => mine.verifyMineEntryAsync(key, bytes, trust, at)),
      readBucketEntries(open, mineDefinitionsBucket(session.collective), '>', (e) => {
        const d = e.value && mine.listedDefinition(e.key, e.value);
        if (d) definitions.push(d);
      }),
    ]);
    if (values.missing !== undefined) io.stderr.write(`no mined values: ${values.missing}\n`);
    readings = values.entries;
  } finally {
    await bus.close();
  }
  const rows = mine.mineListing(readings, definitions, Date.now());
  if (session.json) {
    io.stdout.write(stringifyJson(rows, io.stdout.isTTY));
  } else if (rows.length > 0) {
    const w = Math.max(8, ...rows.map((r) => r.function.length));
    const lines = [`${'function'.padEnd(w)}  nodes  fresh  stale  failed  oldest  defined`];
    for (const r of rows) {
      const oldest = r.oldest_age_s === null ? '-' : `${r.oldest_age_s}s`;
      lines.push(`${r.function.padEnd(w)}  ${String(r.nodes).padStart(5)}  ${String(r.fresh).padStart(5)}  ${String(r.stale).padStart(5)}  ${String(r.failed).padStart(6)}  ${oldest.padStart(6)}  ${r.defined.join('; ')}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  } else {
    io.stderr.write('No mine functions: none declared in node configs and none defined with cohort mine define\n');
  }
  return { kind: 'found', count: rows.length };
}
