import { recordAgeMs, isStale } from '@cohort/client';
import { matchRegistry } from '@cohort/client';
import type { Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';
import { reportIgnored } from './registry-ignored.js';

/** `cohort registry list`: registered nodes matching the filter, with the age of their records. */
export async function runRegistryList(argv: Args, io: CliIo): Promise<Outcome> {
  const session = await openSession(argv, io);
  const client = await session.connect();
  try {
    const registry = await client.registry();
    if (registry.unavailable !== undefined) {
      io.stderr.write(`cannot read the registry: ${registry.unavailable}\n`);
      return { kind: 'found', count: 0 };
    }
    const all = registry.nodes();
    const match = matchRegistry(all, session.filter);
    if (match.nodeData !== undefined) {
      io.stderr.write(`the filter needs node-side data (${match.nodeData}()), which the registry does not hold; use cohort find\n`);
      return { kind: 'found', count: 0 };
    }
    const now = Date.now();
    const byId = new Map(all.map((n) => [n.identity, n]));
    const rows = match.identities.flatMap((id) => {
      const n = byId.get(id);
      if (!n) return [];
      const r = n.record;
      return [{ identity: id, age_s: Math.round(recordAgeMs(n, now) / 1000), stale: isStale(n, now), interval: r.interval, version: r.version, collectives: r.collectives, agents: r.agents.length }];
    });
    if (session.json) {
      io.stdout.write(stringifyJson(rows, io.stdout.isTTY));
    } else if (rows.length > 0) {
      const width = Math.max(8, ...rows.map((r) => r.identity.length));
      const lines = [`${'identity'.padEnd(width)}  ${'age'.padStart(6)}  version  collectives`];
      for (const r of rows) lines.push(`${r.identity.padEnd(width)}  ${`${r.age_s} s`.padStart(6)}  ${r.version.padEnd(7)}  ${r.collectives.join(',')}${r.stale ? '  (stale)' : ''}`);
      lines.push('', `${rows.length} of ${all.length} registered node(s); records expire ${Math.round(registry.maxAgeMs / 1000)} s after their last refresh`);
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    if (rows.length === 0) io.stderr.write('No registered node matched the filter\n');
    reportIgnored(registry, session.verbose, io);
    return { kind: 'found', count: rows.length };
  } finally {
    await client.close();
  }
}
