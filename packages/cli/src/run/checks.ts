import { checkNamePattern, isEmptyFilter, plainIdentities, UsageError, type Filter, type TrustStore } from '@cohort/core';
import { checks, Registry, type Bus } from '@cohort/client';
import { commaList, list, str, type Args } from '../args.js';
import type { Outcome } from '../exit.js';
import type { CliIo } from '../io.js';
import { checksJson, renderChecksTable, renderHistory } from '../render/checks.js';
import { stringifyJson } from '../render/json.js';
import { openSession, type Session } from '../session.js';
import { kvOf, nodeDataTrust } from './mine-common.js';
import { markPhase } from '@cohort/client/timing';

/** Check names from --check (repeatable, comma-separated), validated. */
export function checkNamesArg(argv: Args, key = 'check'): string[] {
  const names = commaList(argv, key);
  for (const n of names) if (!checkNamePattern.test(n)) throw new UsageError(`check name '${n}' is not valid: a lower-case letter, then up to 63 lower-case letters, digits, _ or -`);
  return [...new Set(names)];
}

/** Does a filter use the check('name') data function? */
export function usesCheckFunction(argv: Args): boolean {
  return [...list(argv, 'select'), ...list(argv, 'with')].some((e) => /\bcheck\s*\(/.test(e));
}

/** Does the filter need the registry (anything but no filter or plain identities)? */
export function filterNeedsRegistry(filter: Filter): boolean {
  return !isEmptyFilter(filter) && plainIdentities(filter) === undefined;
}

/**
 * The registry's nodes for a filter that needs it (verified with `trust`);
 * [] with a note on stderr when it cannot be read (nodes are then matched on
 * their identity alone).
 */
export async function registeredFor(bus: Bus, session: Session, trust: TrustStore): Promise<Registry | undefined> {
  if (!filterNeedsRegistry(session.filter)) return undefined;
  const registry = await Registry.open(bus, session.collective, trust);
  if (registry.unavailable !== undefined) session.io.stderr.write(`cohort: the registry cannot be read (${registry.unavailable}): nodes are matched on their identity alone\n`);
  return registry;
}

/** Tell about refused records: a count always, each one with -v. */
function reportRefused(io: CliIo, refused: readonly checks.RefusedCheck[], verbose: boolean): void {
  if (refused.length === 0) return;
  io.stderr.write(`cohort: ignored ${refused.length} check state record(s) that did not verify (forged, unsigned, or signed by another node)${verbose ? ':' : '; -v lists them'}\n`);
  if (verbose) for (const r of refused) io.stderr.write(`  ${r.key}: ${r.reason}\n`);
}

/** `cohort checks [filters] [--check NAME] [--state S] [--json]`. */
export async function runChecks(argv: Args, io: CliIo): Promise<Outcome> {
  const states = checks.parseStateSelectors(list(argv, 'state'));
  const names = checkNamesArg(argv);
  const session = await openSession(argv, io);
  const trust = nodeDataTrust(argv, session, 'check states');
  markPhase('session and trust ready');
  const bus = await session.openBus();
  markPhase('connected');
  let registry: Registry | undefined;
  try {
    const open = kvOf(bus, 'cohort checks');
    const [read, reg] = await Promise.all([
      // check('other') in a filter needs every check's states, not only the one shown.
      checks.readCheckStates(open, session.collective, trust, names.length === 1 && !usesCheckFunction(argv) ? { check: names[0]! } : {}),
      registeredFor(bus, session, trust),
    ]);
    registry = reg;
    markPhase(`read and verified ${read.records.length + read.refused.length} check states`);
    if (read.missing !== undefined) {
      io.stderr.write(`cohort: ${checks.noCheckStates(read.missing)}\n`);
      return { kind: 'found', count: 0 };
    }
    const holders = read.records.map((r) => r.identity);
    const now = Date.now();
    const answers = checks.checkDataAnswers(read.records, now);
    const identities = isEmptyFilter(session.filter) ? undefined : new Set(checks.registryTargets(session.filter, registry?.nodes() ?? [], holders, 'cohort checks', answers));
    const refused = read.refused.filter((r) => (identities === undefined || r.identity === undefined || identities.has(r.identity)) && (names.length === 0 || r.check === undefined || names.includes(r.check)));
    const { checks: rows, stats } = checks.checkRows(read.records, { identities, checks: new Set(names), states }, now, refused.length);
    reportRefused(io, refused, session.verbose);
    if (session.json) io.stdout.write(stringifyJson(checksJson(rows, stats), io.stdout.isTTY));
    else if (rows.length > 0) io.stdout.write(renderChecksTable(rows, stats, io.stdout.columns ?? 120, now));
    if (rows.length === 0) io.stderr.write(`No check state matched${read.records.length === 0 ? ' (the bucket holds none)' : ` (${read.records.length} record(s) read; see the filters and --state)`}\n`);
    markPhase('printed');
    const code = checks.checksExitCode(stats);
    return { kind: 'rpc', stats: { discovered: stats.total, responded: stats.total, failed: code === 1 ? 1 : 0 } };
  } finally {
    await registry?.close();
    await bus.close();
  }
}

/** `cohort checks history NODE CHECK [--json]`. */
export async function runChecksHistory(argv: Args, io: CliIo): Promise<Outcome> {
  const identity = str(argv, 'node') ?? '';
  const [check] = checkNamesArg(argv, 'check');
  if (identity === '' || check === undefined) throw new UsageError('give a node and a check: cohort checks history NODE CHECK');
  const session = await openSession(argv, io);
  const trust = nodeDataTrust(argv, session, 'check states');
  const bus = await session.openBus();
  try {
    const read = await checks.readCheckState(kvOf(bus, 'cohort checks history'), session.collective, identity, check, trust);
    if (read.missing !== undefined) {
      io.stderr.write(`cohort: ${checks.noCheckStates(read.missing)}\n`);
      return { kind: 'found', count: 0 };
    }
    if (read.refused !== undefined) throw new Error(`the stored state of ${check} on ${identity} did not verify, so it is not shown: ${read.refused}`);
    if (read.record === undefined) {
      io.stderr.write(`${identity} has no state of check ${check} (see cohort checks -I ${identity})\n`);
      return { kind: 'found', count: 0 };
    }
    const now = Date.now();
    if (session.json) io.stdout.write(stringifyJson({ ...read.record, stale: checks.isCheckStale(read.record, now) }, io.stdout.isTTY));
    else io.stdout.write(renderHistory(read.record, now));
    return { kind: 'found', count: 1 };
  } finally {
    await bus.close();
  }
}
