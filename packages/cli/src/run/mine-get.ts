import { UsageError } from '@cohort/core';
import { mine, parseDuration, Registry } from '@cohort/client';
import { markPhase } from '@cohort/client/timing';
import { str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { stringifyJson } from '../render/json.js';
import { openSession } from '../session.js';
import { mineKvOf, mineTrust } from './mine-common.js';

/** One line of a value for the text output. */
function summary(row: mine.MineRow, width: number): string {
  let text: string;
  if (row.state === 'missing' || row.state === 'refused') text = row.statusmsg;
  else if (row.statuscode !== 0) text = `failed (${row.statuscode}): ${row.statusmsg}`;
  else if (row.output !== undefined) text = row.output.replace(/\s+/g, ' ').trim();
  else text = JSON.stringify(row.data ?? {});
  return text.length > width ? `${text.slice(0, Math.max(8, width - 1))}…` : text;
}

function renderText(result: mine.MineGetResult, columns: number): string {
  const rows = result.values;
  const idWidth = Math.max(8, ...rows.map((r) => r.identity.length));
  const lines = rows.map((r) => {
    const age = r.age_s === null ? '-' : `${Math.round(r.age_s)}s`;
    const mark = r.state === 'fresh' ? '' : ` [${r.state}]`;
    const head = `${r.identity.padEnd(idWidth)}  ${age.padStart(6)}${mark}  `;
    return head + summary(r, Math.max(20, columns - head.length));
  });
  const s = result.stats;
  lines.push('', `${result.function}: ${s.matched} matched, ${s.fresh} fresh, ${s.stale} stale, ${s.missing} missing, ${s.failed} failed`);
  return `${lines.join('\n')}\n`;
}

/** `cohort mine get NAME [filters] [--json] [--max-age D]`. */
export async function runMineGet(argv: Args, io: CliIo): Promise<Outcome> {
  const fn = str(argv, 'name') ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(fn)) throw new UsageError(`mine function name '${fn}' is not valid: 1 to 64 letters, digits, _ or -`);
  const maxAgeArg = str(argv, 'max-age');
  const maxAgeMs = maxAgeArg === undefined ? undefined : parseDuration(maxAgeArg, 'ms', '--max-age');
  const session = await openSession(argv, io);
  const trust = mineTrust(argv, session);
  markPhase('session and trust ready');
  const bus = await session.openBus();
  markPhase('connected');
  try {
    const open = mineKvOf(bus);
    // The registry (a thousand more signatures to check) only when the filter is evaluated on it.
    const withRegistry = mine.mineNeedsRegistry(session.filter);
    const [read, registry] = await Promise.all([mine.readMine(open, session.collective, fn, trust), withRegistry ? Registry.open(bus, session.collective, trust) : undefined]);
    markPhase(`read and verified ${read.readings.size} values`);
    if (read.missing !== undefined) io.stderr.write(`cannot read the mine: ${read.missing}\n`);
    if (registry?.unavailable !== undefined && argv['verbose'] === true) io.stderr.write(`registry: ${registry.unavailable}\n`);
    const targets = mine.mineTargets(session.filter, registry !== undefined && registry.unavailable === undefined ? registry.nodes() : [], read.readings.keys());
    await registry?.close();
    const result = mine.mineRows(fn, targets, read.readings, Date.now(), maxAgeMs);
    if (session.json) io.stdout.write(stringifyJson({ function: result.function, values: result.values, stats: result.stats }, io.stdout.isTTY));
    else if (result.stats.matched > 0) io.stdout.write(renderText(result, io.stdout.columns ?? 120));
    markPhase('written');
    if (result.stats.matched === 0) io.stderr.write(`No node matched, or no node holds a value of ${fn}\n`);
    const code = mine.mineExitCode(result.stats);
    return { kind: 'rpc', stats: { discovered: result.stats.matched, responded: result.stats.matched, failed: code === 1 ? result.stats.matched - result.stats.fresh : 0 } };
  } finally {
    await bus.close();
  }
}
